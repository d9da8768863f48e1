package org.ipclab.labs.lab7;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Lab 7, tasks 1 and 2: read what {@code ipc bench --json FILE} wrote (docs/results-schema.md) and rank
 * the mechanisms. {@code ./ipc lab run 7 Study labs/lab7/results.json} prints your table and ranking.
 */
public final class Study {
    private Study() {
    }

    /**
     * One measurement: a mechanism at one size in one mode.
     *
     * @param p50Us      median round-trip time in µs over all repeats (latency mode), else null
     * @param msgsPerSec messages per second, median repeat (throughput mode), else null
     */
    public record Row(String mechanism, String mode, int sizeBytes, Double p50Us, Double msgsPerSec) {
    }

    /** Task 1: every measurement with status "ok"; the others (failed, integrity) are left out. */
    public static List<Row> load(Path resultsJson) throws IOException {
        // TODO(lab7) task 1: JsonNode root = new ObjectMapper().readTree(resultsJson.toFile());
        //   for each node m in root.get("measurements"): skip unless m.get("status").asText() is "ok";
        //   mechanism, mode, sizeBytes; p50Us from m.get("summary").get("latency").get("p50Us") when "latency" is not null,
        //   msgsPerSec from m.get("summary").get("msgsPerSec") when it is not null (JsonNode.isNull()).
        throw new UnsupportedOperationException("TODO(lab7): Study.load");
    }

    /** Task 2: the mechanisms measured in latency mode at {@code sizeBytes}, lowest p50 first. */
    public static List<String> rankByLatency(List<Row> rows, int sizeBytes) {
        // TODO(lab7) task 2: filter mode "latency" and the size, sort by p50Us (Comparator.comparingDouble), map to mechanism.
        throw new UnsupportedOperationException("TODO(lab7): Study.rankByLatency");
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
