package io.strata.server.cli;

import io.strata.domain.SnapshotName;
import io.strata.domain.VolumeName;
import io.strata.server.ServerConfig;
import java.util.Map;
import picocli.CommandLine;

/** Builds the {@code strata} command line: commands, value converters, defaults and error mapping. */
public final class StrataCli {
    /** Overrides the default data directory when set and not empty. */
    public static final String DATA_DIR_ENV = "STRATA_DATA_DIR";
    static final String DEFAULT_DATA_DIR = ServerConfig.DEFAULT_DATA_DIR;

    private StrataCli() {}

    /**
     * A ready-to-execute command line.
     *
     * @param env the process environment (a map, so tests can pass their own)
     */
    public static CommandLine create(Map<String, String> env) {
        CommandLine commandLine = new CommandLine(new RootCommand(env));
        commandLine.registerConverter(VolumeName.class, VolumeName::of);
        commandLine.registerConverter(SnapshotName.class, SnapshotName::of);
        commandLine.registerConverter(VolumeRef.class, VolumeRef::parse);
        commandLine.setDefaultValueProvider(argSpec -> {
            if (argSpec.isOption() && RootCommand.DATA_DIR_OPTION.equals(((CommandLine.Model.OptionSpec) argSpec).longestName())) {
                String fromEnv = env.get(DATA_DIR_ENV);
                return fromEnv == null || fromEnv.isBlank() ? DEFAULT_DATA_DIR : fromEnv;
            }
            return null;
        });
        ErrorReporter errors = new ErrorReporter();
        commandLine.setExecutionExceptionHandler(errors);
        commandLine.setParameterExceptionHandler(errors);
        return commandLine;
    }
}
