package dev.chatledger.jobs.silver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.datasets.contract.Feed;
import dev.chatledger.jobs.SparkTestSupport;
import dev.chatledger.jobs.bronze.LineParser;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class DeduplicationTest extends SparkTestSupport {
  private static final String S1 = status("s-1", "delivered", "2026-11-21T08:05:02.000Z");

  private static String status(String id, String status, String at) {
    return "{\"event_id\":\"" + id + "\",\"message_id\":\"m-2\",\"status\":\"" + status + "\",\"status_at\":\"" + at + "\"}";
  }

  private static Dataset<Row> parsed(String dt, String file, String... lines) {
    return LineParser.parse(landed(dt, file, lines), Feed.STATUSES);
  }

  /** outcome per "file@offset". */
  private static Map<String, String> outcomes(Dataset<Row> incoming, Dataset<Row> earlier) {
    return Deduplication.classify(incoming, earlier, "event_id").collectAsList().stream()
        .collect(Collectors.toMap(
            r -> r.getAs("source_file") + "@" + r.getAs("line_offset"),
            r -> r.getAs(Deduplication.OUTCOME)));
  }

  @Test
  void firstCopyWinsAcrossFilesOfANight() {
    // the same event in b.jsonl (line 0) and a.jsonl (line 1): file name orders first
    Dataset<Row> night = parsed("2026-11-21", "b.jsonl", S1)
        .unionByName(parsed("2026-11-21", "a.jsonl", status("s-9", "read", "2026-11-21T09:00:00Z"), S1));
    Map<String, String> o = outcomes(night, night.limit(0));
    assertThat(o).containsEntry("a.jsonl@100", "first")
        .containsEntry("b.jsonl@0", "redelivery")
        .containsEntry("a.jsonl@0", "first");
  }

  @Test
  void aCopyOnALaterDayIsARedeliveryEvenWithOtherFormatting() {
    Dataset<Row> monday = parsed("2026-11-21", "a.jsonl", S1);
    // same payload, other key order and an offset instead of Z: the same record
    Dataset<Row> tuesday = parsed("2026-11-22", "a.jsonl",
        "{\"status_at\":\"2026-11-21T09:05:02+01:00\",\"status\":\"delivered\",\"message_id\":\"m-2\",\"event_id\":\"s-1\"}");
    assertThat(outcomes(tuesday, monday)).containsExactly(Map.entry("a.jsonl@0", "redelivery"));
  }

  @Test
  void aLaterCopyWithAnotherPayloadIsAConflict() {
    Dataset<Row> monday = parsed("2026-11-21", "a.jsonl", S1);
    Dataset<Row> tuesday = parsed("2026-11-22", "a.jsonl",
        status("s-1", "read", "2026-11-21T08:05:02.000Z"), status("s-2", "read", "2026-11-21T08:09:00.000Z"));
    assertThat(outcomes(tuesday, monday))
        .containsEntry("a.jsonl@0", "conflicting_duplicate")
        .containsEntry("a.jsonl@100", "first");
  }
}
