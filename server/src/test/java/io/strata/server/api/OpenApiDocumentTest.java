package io.strata.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strata.server.http.ProblemType;
import io.strata.server.ui.WebUi;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document cannot drift from the server: every route served is in it and every path
 * in it is served, every schema has exactly the fields of the record it describes, every
 * reference resolves, and every problem type is documented.
 */
class OpenApiDocumentTest {
    @TempDir
    static Path tmp;
    static ApiHarness api;
    static JsonNode doc;

    @BeforeAll
    static void start() throws Exception {
        api = ApiHarness.start(tmp);
        ApiHarness.Answer answer = api.get("/openapi.json");
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        doc = answer.expect(200);
    }

    @AfterAll
    static void stop() throws Exception {
        api.close();
    }

    @Test
    void itIsOpenApi31() {
        assertThat(doc.get("openapi").asText()).isEqualTo("3.1.0");
        assertThat(doc.get("info").get("title").asText()).isNotBlank();
    }

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsServed() {
        Set<String> served = api.server.http().orElseThrow().routes().stream()
                .filter(r -> !r.template().equals("/") && !r.template().startsWith(WebUi.PREFIX)) // the web UI's files are no API
                .map(r -> r.method() + " " + r.template()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> documented = new TreeSet<>();
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op ->
                documented.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey())));
        assertThat(documented).isEqualTo(served);
        assertThat(served).hasSizeGreaterThan(25);
    }

    @Test
    void everyPathParameterIsDeclaredAndEveryOperationHasAnIdAndItsErrors() {
        Set<String> ids = new TreeSet<>();
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            String where = op.getKey() + " " + path.getKey();
            JsonNode operation = op.getValue();
            assertThat(ids.add(operation.get("operationId").asText())).as("unique operationId at %s", where).isTrue();
            Set<String> inPath = new TreeSet<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path.getKey());
            while (m.find()) {
                inPath.add(m.group(1));
            }
            Set<String> declared = new TreeSet<>();
            if (operation.has("parameters")) {
                operation.get("parameters").forEach(p -> {
                    if (p.get("in").asText().equals("path")) {
                        declared.add(p.get("name").asText());
                    }
                });
            }
            assertThat(declared).as("path parameters of %s", where).isEqualTo(inPath);
            JsonNode responses = operation.get("responses");
            assertThat(responses.has("403") && responses.has("500")).as("403 and 500 at %s", where).isTrue();
            if (op.getKey().equals("post") || op.getKey().equals("put")) {
                assertThat(responses.has("413") && responses.has("415")).as("413 and 415 at %s", where).isTrue();
            }
        }));
    }

    @Test
    void everyReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).startsWith("#/");
            JsonNode target = doc.at(ref.substring(1));
            assertThat(target.isMissingNode()).as("reference %s", ref).isFalse();
        }
    }

    private static void collectRefs(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.properties().forEach(e -> {
                if (e.getKey().equals("$ref")) {
                    out.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, out));
        }
    }

    /** Each schema describes one record of the API's model; their fields must be the same. */
    @Test
    void everySchemaHasTheFieldsOfItsRecord() {
        Map<String, Class<?>> records = new java.util.TreeMap<>();
        for (Class<?> type : ApiModel.class.getDeclaredClasses()) {
            if (type.isRecord()) {
                records.put(type.getSimpleName(), type);
            }
        }
        records.put("Problem", io.strata.server.http.Problem.class);
        JsonNode schemas = doc.get("components").get("schemas");
        Set<String> documented = new TreeSet<>();
        schemas.fieldNames().forEachRemaining(documented::add);
        assertThat(documented).isEqualTo(records.keySet());
        records.forEach((name, type) -> {
            Set<String> fields = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName)
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> properties = new TreeSet<>();
            schemas.get(name).get("properties").fieldNames().forEachRemaining(properties::add);
            assertThat(properties).as("fields of %s", name).isEqualTo(fields);
            Set<String> required = new TreeSet<>();
            schemas.get(name).get("required").forEach(r -> required.add(r.asText()));
            assertThat(properties).as("required fields of %s exist", name).containsAll(required);
        });
    }

    @Test
    void everyProblemTypeIsDocumented() {
        String problemType = doc.get("components").get("schemas").get("Problem").get("properties").get("type").get("description").asText();
        for (ProblemType type : ProblemType.values()) {
            assertThat(problemType).as("problem type %s", type.slug).contains(type.slug);
        }
        Set<String> statuses = new TreeSet<>();
        doc.get("paths").forEach(path -> path.forEach(op -> op.get("responses").fieldNames().forEachRemaining(statuses::add)));
        for (ProblemType type : ProblemType.values()) {
            if (type != ProblemType.NO_SUCH_PATH && type != ProblemType.METHOD_NOT_ALLOWED) { // for paths outside the document
                assertThat(statuses).as("status of %s", type.slug).contains(String.valueOf(type.status));
            }
        }
    }
}
