package dev.chatledger.jobs.tables;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/tables.md is the registry rendered: it fails here when someone changes one without the other. */
class DataDictionaryTest {

  @Test
  void docsTablesMdIsUpToDateWithTheRegistry() throws Exception {
    Path committed = Path.of("..", "docs", "tables.md"); // surefire runs in jobs/
    assertThat(committed).as("run: ./chatledger dictionary --out docs/tables.md").exists();
    assertThat(Files.readString(committed)).as("docs/tables.md is stale: run ./chatledger dictionary --out docs/tables.md")
        .isEqualTo(DataDictionary.markdown());
  }

  @Test
  void everyTableAndColumnHasADescription() {
    for (Table t : Table.values()) {
      assertThat(t.description()).as(t.qualifiedName()).isNotBlank();
      assertThat(t.grain()).as(t.qualifiedName()).isNotBlank();
      for (var f : t.schema().fields()) {
        assertThat(f.getComment().isDefined() && !f.getComment().get().isBlank())
            .as(t.qualifiedName() + "." + f.name()).isTrue();
      }
    }
  }
}
