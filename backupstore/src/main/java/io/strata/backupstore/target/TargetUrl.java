package io.strata.backupstore.target;

import io.strata.domain.Redaction;
import io.strata.domain.StrataException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A backup target's URL, parsed into what it names. Longhorn's spellings are accepted as they are:
 *
 * <ul>
 *   <li>{@code file:///abs/path} and {@code vfs:///abs/path}: a directory;</li>
 *   <li>{@code nfs://server:/export/path[?nfsOptions=...]}: an NFS export, mounted by Strata;</li>
 *   <li>{@code s3://bucket@region/path/} or {@code s3://bucket/path} (region from {@code AWS_REGION}).</li>
 * </ul>
 */
public sealed interface TargetUrl {

    /** The URL as given (it holds no credentials: those come from the environment). */
    String url();

    record Directory(String url, Path path) implements TargetUrl {}

    /**
     * @param options mount options; Longhorn's defaults unless {@code ?nfsOptions=} gives others
     */
    record Nfs(String url, String server, String export, String options) implements TargetUrl {
        static final String DEFAULT_OPTIONS = "actimeo=1,soft,timeo=300,retry=2";
        private static final List<String> VERSIONS = List.of("4.2", "4.1", "4.0");

        /** Where it is mounted below {@code mountRoot}: the server with dots as underscores, then the export. */
        public Path mountPoint(Path mountRoot) {
            return mountRoot.resolve(server.replace('.', '_')).resolve(export.replaceFirst("^/+", ""));
        }

        /** The mount commands to try in turn, newest NFS version first, as Longhorn does. */
        public List<List<String>> mountCommands(Path mountRoot) {
            return VERSIONS.stream()
                    .map(v -> List.of("mount", "-t", "nfs4", "-o", "nfsvers=" + v + "," + options,
                            server + ":" + export, mountPoint(mountRoot).toString()))
                    .toList();
        }
    }

    /** @param region empty when the URL names none: it then comes from {@code AWS_REGION} */
    record S3(String url, String bucket, String region, String prefix) implements TargetUrl {}

    static TargetUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw invalid(url, "it is empty");
        }
        int colon = url.indexOf("://");
        if (colon < 0) {
            throw invalid(url, "it has no scheme");
        }
        String scheme = url.substring(0, colon);
        String rest = url.substring(colon + 3);
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        return switch (scheme) {
            case "file", "vfs" -> {
                if (!rest.startsWith("/") || rest.length() < 2) {
                    throw invalid(url, "a directory target needs an absolute path, like file:///var/lib/strata-backups");
                }
                yield new Directory(url, Path.of(rest).normalize());
            }
            case "nfs" -> parseNfs(url, rest, query);
            case "s3" -> parseS3(url, rest);
            default -> throw invalid(url, "the scheme '" + scheme + "' is not one of file, vfs, nfs, s3");
        };
    }

    private static Nfs parseNfs(String url, String rest, String query) {
        int sep = rest.indexOf(":/");
        if (sep <= 0) {
            throw invalid(url, "an NFS target looks like nfs://server:/export/path");
        }
        String server = rest.substring(0, sep);
        String export = rest.substring(sep + 1);
        if (!server.matches("[A-Za-z0-9.\\-\\[\\]:]+") || export.contains("..")) {
            throw invalid(url, "the server or export path has characters an NFS target cannot have");
        }
        String options = queryValue(query, "nfsOptions").orElse(Nfs.DEFAULT_OPTIONS);
        if (!options.matches("[A-Za-z0-9=,._\\-]+")) {
            throw invalid(url, "nfsOptions may hold only letters, digits and = , . _ -");
        }
        return new Nfs(url, server, export, options);
    }

    private static S3 parseS3(String url, String rest) {
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("^/+", "").replaceAll("/+$", "");
        if (slash < 0) {
            throw invalid(url, "an S3 target needs a path after the bucket, like s3://bucket@us-east-1/backups/ ('/' alone is fine)");
        }
        int at = authority.indexOf('@');
        String bucket = at < 0 ? authority : authority.substring(0, at);
        String region = at < 0 ? "" : authority.substring(at + 1);
        if (bucket.contains(":")) {
            // user:password@ — never quoted back
            throw invalid(url, "an S3 target URL holds no credentials (s3://bucket@region/path/): give them in AWS_ACCESS_KEY_ID and"
                    + " AWS_SECRET_ACCESS_KEY");
        }
        if (!bucket.matches("[a-z0-9][a-z0-9.\\-]{1,62}")) {
            throw invalid(url, "'" + bucket + "' is not an S3 bucket name");
        }
        return new S3(url, bucket, region, prefix);
    }

    private static Optional<String> queryValue(String query, String key) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(key)) {
                return Optional.of(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    private static StrataException invalid(String url, String why) {
        // a URL that is not a target may be anything pasted, credentials included
        return new StrataException.InvalidArgument("invalid backup target '" + Redaction.url(url) + "': " + why);
    }
}
