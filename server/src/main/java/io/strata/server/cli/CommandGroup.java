package io.strata.server.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A command that only groups subcommands ({@code strata volume}, {@code strata snapshot}): alone it is a usage error. */
class CommandGroup implements Runnable {
    @ParentCommand
    RootCommand root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "missing subcommand: one of " + String.join(", ", spec.subcommands().keySet()));
    }
}
