package dev.chatledger.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.tables.Table;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The shared generated warehouse (eight arrival nights of late and repeated lines, run one night at
 * a time, with volume tiers that its messages cross) against {@link ContractReference}, a
 * plain-Java reading of CONTRACT 2, 3 and 4 over every landed line at once: each rated message and
 * every row of the gold tables the contract defines must be the same, value for value.
 */
class ContractReferenceTest extends SparkTestSupport {
  static GeneratedWarehouse generated;
  static ContractReference reference;
  static Map<String, ContractReference.Rated> rated;
  static LocalDate latestNight;

  @BeforeAll
  static void readBoth() {
    generated = GeneratedWarehouse.get(SPARK);
    reference = ContractReference.read(generated.landing);
    rated = reference.rate();
    latestNight = generated.nights.get(generated.nights.size() - 1);
  }

  /** The comparison has something to compare: every kind of figure occurs in the generated zone. */
  @Test
  void theGeneratedZoneHasEveryKindOfFigure() {
    assertThat(rated).hasSizeGreaterThan(1_000);
    assertThat(rated.values().stream().filter(ContractReference.Rated::billable).count()).isGreaterThan(100);
    // the nights moved tier orders: the warehouse's rate card has tiers from the 3rd message on
    assertThat(rated.values().stream().filter(r -> r.tierFrom() != null && r.tierFrom() > 0).count())
        .as("messages priced above the list rate").isGreaterThan(50);
    assertThat(reference.reconcile(rated).values().stream().map(ContractReference.Reconciled::outcome).distinct().count())
        .as("reconciliation outcomes").isGreaterThanOrEqualTo(4);
    for (Table t : ContractComparison.TABLES) {
      assertThat(ContractComparison.expected(reference, rated, t, latestNight)).as(t.qualifiedName()).hasSizeGreaterThan(10);
    }
  }

  @ParameterizedTest
  @FieldSource("dev.chatledger.jobs.ContractComparison#TABLES")
  void everyRowIsAsTheContractReads(Table table) {
    assertThat(ContractComparison.differences(ContractComparison.expected(reference, rated, table, latestNight),
        ContractComparison.published(generated.warehouse, table)))
        .as(table.qualifiedName() + ": rows that differ from the contract's reading").isEmpty();
  }
}
