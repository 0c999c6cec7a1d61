package io.strata.server.http;

import io.strata.domain.Hint;
import io.strata.domain.Redaction;
import io.strata.domain.VolumeName;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The REST API's words for a {@link Hint}: the endpoint that shows what to look up. A problem's
 * detail ends with them; its {@code hint} member carries the hint as data, so that a client of the
 * API (the CLI through a server) can say it in its own words instead.
 */
public final class RestHints {
    private static final String API = "/api/v1";

    private RestHints() {}

    /** The hint as the REST API says it. */
    public static String say(Hint hint) {
        return switch (hint) {
            case Hint.ListVolumes h -> "GET " + API + "/volumes lists the volumes";
            case Hint.ListSnapshots h -> "GET " + API + "/volumes/" + h.volume() + "/snapshots lists its snapshots";
            case Hint.ListBackupVolumes h -> "GET " + API + "/backup-volumes lists them";
            case Hint.ListBackups h -> "GET " + API + "/backup-volumes/" + h.volume() + "/backups lists them";
            case Hint.ListJobs h -> "GET " + API + "/jobs lists them";
            case Hint.CreateTargetDirectory h -> "mount what should be there, create the directory, or PUT " + API + "/backup-target with \"create\": true";
        };
    }

    /** The problem's {@code hint} member. */
    static Map<String, String> toMember(Hint hint) {
        Map<String, String> member = new LinkedHashMap<>();
        switch (hint) {
            case Hint.ListVolumes h -> member.put("kind", "list-volumes");
            case Hint.ListSnapshots h -> {
                member.put("kind", "list-snapshots");
                member.put("volume", h.volume().value());
            }
            case Hint.ListBackupVolumes h -> {
                member.put("kind", "list-backup-volumes");
                member.put("target", Redaction.url(h.target()));
            }
            case Hint.ListBackups h -> {
                member.put("kind", "list-backups");
                member.put("target", Redaction.url(h.target()));
                member.put("volume", h.volume());
            }
            case Hint.ListJobs h -> member.put("kind", "list-jobs");
            case Hint.CreateTargetDirectory h -> {
                member.put("kind", "create-target-directory");
                member.put("target", Redaction.url(h.target()));
            }
        }
        return member;
    }

    /** The hint a problem's {@code hint} member stands for; empty for none, or one this client does not know. */
    public static Optional<Hint> fromMember(Map<String, String> member) {
        if (member == null) {
            return Optional.empty();
        }
        String volume = member.getOrDefault("volume", "");
        String target = member.getOrDefault("target", "");
        try {
            return Optional.ofNullable(switch (member.getOrDefault("kind", "")) {
                case "list-volumes" -> new Hint.ListVolumes();
                case "list-snapshots" -> new Hint.ListSnapshots(VolumeName.of(volume));
                case "list-backup-volumes" -> new Hint.ListBackupVolumes(target);
                case "list-backups" -> new Hint.ListBackups(target, volume);
                case "list-jobs" -> new Hint.ListJobs();
                case "create-target-directory" -> new Hint.CreateTargetDirectory(target);
                default -> null;
            });
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }
}
