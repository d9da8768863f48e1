package org.ipclab.labs.lab7;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Lab 7 reference solution, tasks 1 and 2. */
public final class Study {
    private Study() {
    }

    public record Row(String mechanism, String mode, int sizeBytes, Double p50Us, Double msgsPerSec) {
    }

    public static List<Row> load(Path resultsJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(resultsJson.toFile());
        List<Row> rows = new ArrayList<>();
        for (JsonNode m : root.path("measurements")) {
            if (!m.path("status").asText().equals("ok")) continue;
            JsonNode summary = m.path("summary");
            JsonNode latency = summary.path("latency");
            JsonNode rate = summary.path("msgsPerSec");
            rows.add(new Row(m.path("mechanism").asText(), m.path("mode").asText(), m.path("sizeBytes").asInt(),
                    latency.isObject() ? latency.path("p50Us").asDouble() : null,
                    rate.isNumber() ? rate.asDouble() : null));
        }
        return rows;
    }

    public static List<String> rankByLatency(List<Row> rows, int sizeBytes) {
        return rows.stream().filter(r -> r.mode().equals("latency") && r.sizeBytes() == sizeBytes && r.p50Us() != null)
                .sorted(Comparator.comparingDouble(Row::p50Us)).map(Row::mechanism).collect(Collectors.toList());
    }

    public static void main(String[] args) throws IOException {
        List<Row> rows = load(Path.of(args.length > 0 ? args[0] : "labs/lab7/results.json"));
        for (Row r : rows) {
            System.out.printf("%-10s %-10s %8d B  %s%n", r.mechanism(), r.mode(), r.sizeBytes(),
                    r.p50Us() != null ? String.format("p50 %.2f µs", r.p50Us()) : String.format("%.0f msgs/s", r.msgsPerSec()));
        }
        rows.stream().filter(r -> r.mode().equals("latency")).map(Row::sizeBytes).distinct().sorted()
                .forEach(size -> System.out.println("fastest first at " + size + " B: " + rankByLatency(rows, size)));
    }
}
