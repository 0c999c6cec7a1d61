package io.strata.server.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.strata.domain.Hint;
import io.strata.domain.StrataException;
import io.strata.server.ServerFile;
import io.strata.server.api.ApiModel;
import io.strata.server.http.ApiJson;
import io.strata.server.http.ApiTokens;
import io.strata.server.http.ProblemType;
import io.strata.server.http.Role;
import io.strata.server.http.RestHints;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CLI's way to a running {@code strata server}: the REST API at the address the server wrote
 * into the data directory ({@link ServerFile}). A problem answer becomes the {@link StrataException}
 * of its kind, with the server's detail as its message, so a command fails the same way whether it
 * ran here or there.
 *
 * <p>Every request carries an API token: the one the user gave ({@code --token-file},
 * {@code STRATA_TOKEN}), else the server's own from the token directory {@code server.json} names,
 * which whoever may work on the data directory may read.
 */
final class ServerClient {
    /** How long the CLI waits for a server to say it is there; a server that does not answer is as good as gone. */
    private static final Duration PROBE = Duration.ofSeconds(3);
    private static final JsonMapper JSON = ApiJson.lenientMapper();

    private final URI base;
    private final ServerFile.Info info;
    private final HttpClient http;
    private final Optional<String> token;
    /** Where the token came from, for messages. */
    private final String tokenSource;

    private ServerClient(ServerFile.Info info, HttpClient http, Optional<String> token, String tokenSource) {
        this.base = URI.create(info.url());
        this.info = info;
        this.http = http;
        this.token = token;
        this.tokenSource = tokenSource;
    }

    /**
     * The server that owns {@code dataDir}, if one answers at the address it left there. A file
     * left by a server that is gone (nothing answers) or by one serving another directory is ignored.
     *
     * @param token the token the user gave, if any; else the server's own is read from its token directory
     * @throws StrataException.FailedPrecondition when the server answers but refuses the token
     */
    static Optional<ServerClient> find(Path dataDir, Optional<String> token) {
        Optional<ServerFile.Info> file = ServerFile.read(dataDir);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> own = token.isPresent() ? Optional.empty() : serversToken(file.get());
        ServerClient client = new ServerClient(file.get(), HttpClient.newBuilder().connectTimeout(PROBE).build(), token.or(() -> own),
                token.isPresent() ? "the token given (--token-file or " + RootCommand.TOKEN_ENV + ")"
                        : own.isPresent() ? "the server's token in " + file.get().tokens() : "no token");
        try {
            ApiModel.Info answer = client.call("GET", "/api/v1/info", null, new TypeReference<ApiModel.Info>() {}, PROBE);
            if (!Path.of(answer.dataDir()).toAbsolutePath().normalize().equals(dataDir.toAbsolutePath().normalize())) {
                return Optional.empty();
            }
            return Optional.of(client);
        } catch (StrataException.FailedPrecondition refused) {
            throw refused; // a server is there, and it refused us: going around it to its files would fail less clearly
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The admin token, else the read-only one, from the directory the server named; none if it cannot be read. */
    private static Optional<String> serversToken(ServerFile.Info info) {
        if (info.tokens() == null || info.tokens().isBlank()) {
            return Optional.empty();
        }
        for (Role role : List.of(Role.ADMIN, Role.READ_ONLY)) {
            try {
                Optional<String> found = ApiTokens.read(Path.of(info.tokens()), role);
                if (found.isPresent()) {
                    return found;
                }
            } catch (IOException | RuntimeException unreadable) {
                // another user's server, or a broken file: the server's refusal will say what to do
            }
        }
        return Optional.empty();
    }

    /** The server's NBD socket, which the CLI reads and writes volumes through while the server owns them. */
    Path nbdSocket(Path dataDir) {
        return info.nbdSocket() != null ? Path.of(info.nbdSocket()) : dataDir.resolve("nbd.sock");
    }

    /** The server, for messages: {@code the Strata server at http://127.0.0.1:9500 (pid 42)}. */
    String describe() {
        return "the Strata server at " + base + " (pid " + info.pid() + ")";
    }

    List<ApiModel.Volume> volumes() throws IOException {
        return get("/api/v1/volumes", new TypeReference<>() {});
    }

    ApiModel.Volume volume(String name) throws IOException {
        return get("/api/v1/volumes/" + name, new TypeReference<>() {});
    }

    ApiModel.Volume createVolume(String name, long size, String source) throws IOException {
        return send("POST", "/api/v1/volumes", new ApiModel.CreateVolume(name, size, null, source), new TypeReference<>() {});
    }

    ApiModel.Volume expand(String name, long size) throws IOException {
        return send("POST", "/api/v1/volumes/" + name + "/expand", new ApiModel.Expand(size, null), new TypeReference<>() {});
    }

    void deleteVolume(String name) throws IOException {
        send("DELETE", "/api/v1/volumes/" + name + "?withSnapshots=true", null, new TypeReference<JsonNode>() {});
    }

    List<ApiModel.Snapshot> snapshots(String volume) throws IOException {
        return get("/api/v1/volumes/" + volume + "/snapshots", new TypeReference<>() {});
    }

    ApiModel.Snapshot createSnapshot(String volume, String name, Map<String, String> labels) throws IOException {
        return send("POST", "/api/v1/volumes/" + volume + "/snapshots", new ApiModel.CreateSnapshot(name, "snapshot", labels, null),
                new TypeReference<>() {});
    }

    void deleteSnapshot(String volume, String name) throws IOException {
        send("DELETE", "/api/v1/volumes/" + volume + "/snapshots/" + name, null, new TypeReference<JsonNode>() {});
    }

    void revert(String volume, String name) throws IOException {
        send("POST", "/api/v1/volumes/" + volume + "/snapshots/" + name + "/revert", null, new TypeReference<JsonNode>() {});
    }

    ApiModel.Changes changes(String volume, String to, Optional<String> from) throws IOException {
        return get("/api/v1/volumes/" + volume + "/snapshots/" + to + "/changes" + from.map(f -> "?from=" + query(f)).orElse(""),
                new TypeReference<>() {});
    }

    ApiModel.Job backup(String volume, ApiModel.CreateBackup order) throws IOException {
        return send("POST", "/api/v1/volumes/" + volume + "/backups", order, new TypeReference<>() {});
    }

    ApiModel.Job job(String id) throws IOException {
        return get("/api/v1/jobs/" + id, new TypeReference<>() {});
    }

    List<ApiModel.Job> jobs() throws IOException {
        return get("/api/v1/jobs", new TypeReference<>() {});
    }

    ApiModel.Job cancelJob(String id) throws IOException {
        return send("POST", "/api/v1/jobs/" + id + "/cancel", null, new TypeReference<>() {});
    }

    ApiModel.BackupTarget backupTarget() throws IOException {
        return get("/api/v1/backup-target", new TypeReference<>() {});
    }

    List<ApiModel.BackupVolume> backupVolumes() throws IOException {
        return get("/api/v1/backup-volumes", new TypeReference<>() {});
    }

    List<ApiModel.Backup> backups(String volume) throws IOException {
        return get("/api/v1/backup-volumes/" + volume + "/backups", new TypeReference<>() {});
    }

    ApiModel.Backup backup(String volume, String name) throws IOException {
        return get("/api/v1/backup-volumes/" + volume + "/backups/" + name, new TypeReference<>() {});
    }

    ApiModel.Verification verify(String volume, String name) throws IOException {
        return send("POST", "/api/v1/backup-volumes/" + volume + "/backups/" + name + "/verify", null, new TypeReference<>() {});
    }

    ApiModel.BackupDeleted deleteBackup(String volume, String name) throws IOException {
        return send("DELETE", "/api/v1/backup-volumes/" + volume + "/backups/" + name, null, new TypeReference<>() {});
    }

    void deleteBackupVolume(String volume) throws IOException {
        send("DELETE", "/api/v1/backup-volumes/" + volume, null, new TypeReference<JsonNode>() {});
    }

    ApiModel.Job restore(String volume, String backup, String newVolume, Long size) throws IOException {
        return send("POST", "/api/v1/backup-volumes/" + volume + "/backups/" + backup + "/restore",
                new ApiModel.Restore(newVolume, size, null), new TypeReference<>() {});
    }

    private <T> T get(String path, TypeReference<T> type) throws IOException {
        return call("GET", path, null, type, Duration.ofMinutes(5));
    }

    /** Writes and actions; verify reads a whole backup while the request waits, hence no short timeout. */
    private <T> T send(String method, String path, Object body, TypeReference<T> type) throws IOException {
        return call(method, path, body, type, Duration.ofHours(12));
    }

    private <T> T call(String method, String path, Object body, TypeReference<T> type, Duration timeout) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        if (method.equals("POST") || method.equals("PUT")) {
            request.header("Content-Type", "application/json").method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StrataException.Unavailable("interrupted while waiting for " + describe(), e);
        } catch (IOException e) {
            throw new StrataException.Unavailable(describe() + " did not answer (" + e.getClass().getSimpleName()
                    + "): is it still running? Retry, or stop it and run the command without it", e);
        }
        if (response.statusCode() >= 400) {
            throw failure(response);
        }
        if (response.statusCode() == 204 || response.body().length == 0) {
            return null;
        }
        return JSON.readValue(response.body(), type);
    }

    /** The domain error a problem answer stands for. */
    private StrataException failure(HttpResponse<byte[]> response) {
        String slug = "";
        String detail = describe() + " answered " + response.statusCode();
        Optional<Hint> hint = Optional.empty();
        try {
            JsonNode problem = JSON.readTree(response.body());
            slug = problem.path("type").asText("").replace(ProblemType.PREFIX, "");
            detail = problem.path("detail").asText(detail);
            if (problem.path("hint").isObject()) {
                hint = RestHints.fromMember(JSON.convertValue(problem.get("hint"), new TypeReference<Map<String, String>>() {}));
            }
        } catch (IOException | IllegalArgumentException notAProblem) {
            // the status alone then
        }
        // the detail ends with the API's words for the hint; the CLI says it in its own (ErrorReporter)
        String restWords = hint.map(h -> ": " + RestHints.say(h)).orElse("");
        if (!restWords.isEmpty() && detail.endsWith(restWords)) {
            detail = detail.substring(0, detail.length() - restWords.length());
        } else {
            hint = Optional.empty();
        }
        StrataException failure = switch (slug) {
            case "not-found" -> new StrataException.NotFound(detail);
            case "already-exists" -> new StrataException.AlreadyExists(detail);
            case "invalid-argument", "malformed-body" -> new StrataException.InvalidArgument(detail);
            case "failed-precondition" -> new StrataException.FailedPrecondition(detail);
            case "out-of-range" -> new StrataException.OutOfRange(detail);
            case "unavailable" -> new StrataException.Unavailable(detail);
            case "resource-exhausted" -> new StrataException.ResourceExhausted(detail);
            case "corrupt" -> new StrataException.Corrupt(detail);
            // the server's words are for HTTP clients: the CLI says what to do in its own terms
            case "unauthenticated" -> new StrataException.FailedPrecondition(describe() + " refused " + tokenSource + ": give the CLI"
                    + " one of its API tokens with --token-file FILE or " + RootCommand.TOKEN_ENV
                    + (info.tokens() == null ? "" : " (the server keeps them in " + info.tokens() + ")"));
            case "permission-denied" -> new StrataException.FailedPrecondition(describe() + " takes " + tokenSource + " for reading"
                    + " only: give the CLI the admin token (admin.token) with --token-file FILE or " + RootCommand.TOKEN_ENV);
            case "forbidden-host" -> new StrataException.FailedPrecondition(detail);
            default -> new StrataException.Internal(detail, null);
        };
        hint.ifPresent(failure::withHint);
        return failure;
    }

    private static String query(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
