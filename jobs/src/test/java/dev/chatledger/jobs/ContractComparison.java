package dev.chatledger.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatledger.jobs.tables.Table;
import dev.chatledger.jobs.tables.Warehouse;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;

/**
 * A published table next to {@link ContractReference}'s reading of the same landing zone: both
 * rendered as one line of text per row key, in the table's grain, so that a difference names the
 * row and shows both values. The end-to-end tests use it as they use {@link OneRunOverAll}.
 */
final class ContractComparison {
  /** The tables the reference computes. */
  static final List<Table> TABLES = List.of(Table.SILVER_RATED_MESSAGES, Table.GOLD_REVENUE_DAILY,
      Table.GOLD_BILLING_RECONCILIATION, Table.GOLD_RECONCILIATION_DAILY, Table.GOLD_OPTIN_COHORTS,
      Table.GOLD_CONSENT_DAILY, Table.GOLD_CONSENT_VIOLATIONS, Table.GOLD_REGIONAL_USAGE_DAILY);

  private static final String[] CONSENT_DAILY = {"prompts", "opt_ins", "opt_outs", "blocks", "unblocks",
      "blocking_users", "active_optin_base", "marketing_recipients"};
  private static final String[] REGIONAL_COUNTS = {"active_businesses", "active_users", "inbound_messages",
      "outbound_messages", "marketing_templates", "utility_templates", "authentication_templates",
      "delivered_messages", "read_messages", "interactive_messages"};

  private ContractComparison() {}

  /**
   * Asserts that each of {@code tables} in {@code w} holds exactly the rows the contract gives the
   * lines of {@code landing}, with cohorts final as of {@code latestNight}.
   */
  static void assertSameRows(Path landing, LocalDate latestNight, Warehouse w, List<Table> tables) {
    ContractReference reference = ContractReference.read(landing);
    Map<String, ContractReference.Rated> rated = reference.rate();
    for (Table t : tables) {
      assertThat(differences(expected(reference, rated, t, latestNight), published(w, t)))
          .as(t.qualifiedName() + ": rows that differ from the contract's reading").isEmpty();
    }
  }

  /** The rows of {@code t} by the reference, keyed and rendered as {@link #published}. */
  static Map<String, String> expected(ContractReference c, Map<String, ContractReference.Rated> rated, Table t,
      LocalDate latestNight) {
    Map<String, String> out = new TreeMap<>();
    switch (t) {
      case SILVER_RATED_MESSAGES -> rated.forEach((id, r) -> out.put(id, String.join(" ", r.business(), r.userCountry(),
          r.market(), r.category(), String.valueOf(r.policy()), String.valueOf(r.pricingType()),
          String.valueOf(r.billable()), String.valueOf(r.deliveredAt()), String.valueOf(r.revenueDate()),
          String.valueOf(r.localMonth()), String.valueOf(r.tierFrom()), plain(r.price()))));
      case GOLD_REVENUE_DAILY -> {
        Map<String, BigDecimal[]> sums = new TreeMap<>();
        for (ContractReference.Rated r : rated.values()) {
          if (r.deliveredAt() != null) {
            BigDecimal[] s = sums.computeIfAbsent(String.join("|", r.revenueDate().toString(), r.business(),
                r.userCountry(), r.market(), r.category(), String.valueOf(r.pricingType())), k -> zeros(3));
            s[0] = s[0].add(BigDecimal.ONE);
            s[1] = s[1].add(r.billable() ? BigDecimal.ONE : BigDecimal.ZERO);
            s[2] = s[2].add(r.billable() ? r.price() : BigDecimal.ZERO);
          }
        }
        sums.forEach((k, s) -> out.put(k, plain(s[0]) + " " + plain(s[1]) + " " + plain(s[2])));
      }
      case GOLD_BILLING_RECONCILIATION -> c.reconcile(rated).forEach((id, r) -> out.put(id, String.join(" ",
          r.business(), String.valueOf(r.revenueDate()), r.date().toString(), plain(r.expected()), plain(r.billed()),
          r.outcome())));
      case GOLD_RECONCILIATION_DAILY -> {
        Map<String, BigDecimal[]> sums = new TreeMap<>();
        for (ContractReference.Reconciled r : c.reconcile(rated).values()) {
          BigDecimal[] s = sums.computeIfAbsent(r.date() + "|" + r.business(), k -> zeros(3));
          s[0] = s[0].add(r.expected() == null ? BigDecimal.ZERO : r.expected());
          s[1] = s[1].add(r.billed());
          s[2] = s[2].add(BigDecimal.ONE);
        }
        sums.forEach((k, s) -> out.put(k, plain(s[0]) + " " + plain(s[1]) + " " + plain(s[2])));
      }
      case GOLD_OPTIN_COHORTS -> c.cohorts().forEach((k, v) -> out.put(k, v[0] + " " + v[1] + " "
          + !latestNight.isBefore(LocalDate.parse(k.substring(0, 10)).plusDays(7))));
      case GOLD_CONSENT_DAILY -> c.consentDaily().forEach((k, v) -> out.put(k, Arrays.toString(v)));
      case GOLD_CONSENT_VIOLATIONS -> c.violations().forEach(id -> out.put(id, "violation"));
      case GOLD_REGIONAL_USAGE_DAILY -> c.regionalUsage(rated).forEach((k, v) -> out.put(k, regionalUsage(v)));
      default -> throw new IllegalArgumentException(t.qualifiedName() + " is not computed by the reference");
    }
    return out;
  }

  /** The rows of {@code t} as the warehouse publishes them, keyed by the table's grain. */
  static Map<String, String> published(Warehouse w, Table t) {
    return published(w.read(t).collectAsList(), t); // test tables: a few thousand rows
  }

  /** Rows with the columns of table {@code t} (the table's, or computed as the table's), keyed by its grain. */
  static Map<String, String> published(List<Row> rows, Table t) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : rows) {
      switch (t) {
        case SILVER_RATED_MESSAGES -> {
          Timestamp delivered = r.getAs("delivered_at");
          Date revenueDate = r.getAs("revenue_date");
          Object tier = r.getAs("tier_from");
          out.put(r.getAs("message_id"), String.join(" ", r.getAs("business_id"), r.getAs("user_country"),
              r.getAs("market"), r.getAs("category"), String.valueOf((Object) r.getAs("policy")),
              String.valueOf((Object) r.getAs("pricing_type")), String.valueOf((Object) r.getAs("billable")),
              String.valueOf(delivered == null ? null : delivered.toInstant()),
              String.valueOf(revenueDate == null ? null : revenueDate.toLocalDate()),
              String.valueOf((Object) r.getAs("local_month")),
              String.valueOf(tier == null ? null : ((Number) tier).intValue()), plain(r.getAs("price"))));
        }
        case GOLD_REVENUE_DAILY -> out.put(String.join("|", r.getAs("revenue_date").toString(), r.getAs("business_id"),
                r.getAs("user_country"), r.getAs("market"), r.getAs("category"), String.valueOf((Object) r.getAs("pricing_type"))),
            r.getAs("delivered_messages") + " " + r.getAs("billable_messages") + " " + plain(r.getAs("revenue")));
        case GOLD_BILLING_RECONCILIATION -> out.put(r.getAs("message_id"), String.join(" ", r.getAs("business_id"),
            String.valueOf((Object) r.getAs("revenue_date")), r.getAs("date").toString(), plain(r.getAs("expected")),
            plain(r.getAs("billed")), r.getAs("outcome")));
        case GOLD_RECONCILIATION_DAILY -> out.put(r.getAs("date") + "|" + r.getAs("business_id"),
            plain(r.getAs("expected")) + " " + plain(r.getAs("billed")) + " " + r.getAs("messages"));
        case GOLD_OPTIN_COHORTS -> out.put(String.join("|", r.getAs("prompt_date").toString(), r.getAs("business_id"),
            r.getAs("user_country")), r.getAs("prompted") + " " + r.getAs("opted_in") + " " + r.getAs("is_final"));
        case GOLD_CONSENT_DAILY -> {
          long[] v = new long[CONSENT_DAILY.length];
          for (int i = 0; i < v.length; i++) {
            v[i] = ((Number) r.getAs(CONSENT_DAILY[i])).longValue();
          }
          out.put(r.getAs("date") + "|" + r.getAs("business_id"), Arrays.toString(v));
        }
        case GOLD_CONSENT_VIOLATIONS -> out.put(r.getAs("message_id"), "violation");
        case GOLD_REGIONAL_USAGE_DAILY -> {
          long[] counts = new long[REGIONAL_COUNTS.length];
          for (int i = 0; i < counts.length; i++) {
            counts[i] = ((Number) r.getAs(REGIONAL_COUNTS[i])).longValue();
          }
          Double[] rates = Stream.of("delivered_rate", "read_rate", "interactive_share")
              .map(rate -> r.isNullAt(r.fieldIndex(rate)) ? null : (Double) r.getAs(rate)).toArray(Double[]::new);
          out.put(String.join("|", r.getAs("date").toString(), r.getAs("user_country"), r.getAs("market")),
              regionalUsage(new ContractReference.RegionalUsage(counts, rates,
                  ((Number) r.getAs("billable_messages")).longValue(), r.getAs("revenue"))));
        }
        default -> throw new IllegalArgumentException(t.qualifiedName() + " is not computed by the reference");
      }
    }
    return out;
  }

  /** The first keys whose values differ, each with both values; empty when the maps are equal. */
  static List<String> differences(Map<String, String> contract, Map<String, String> pipeline) {
    List<String> out = new ArrayList<>();
    Set<String> keys = new TreeSet<>(contract.keySet());
    keys.addAll(pipeline.keySet());
    for (String k : keys) {
      if (!Objects.equals(contract.get(k), pipeline.get(k)) && out.size() < 30) {
        out.add(k + ": contract [" + contract.get(k) + "], pipeline [" + pipeline.get(k) + "]");
      }
    }
    return out;
  }

  /** A regional usage row: counts, rates to 9 places, billable messages, revenue. */
  private static String regionalUsage(ContractReference.RegionalUsage u) {
    List<String> v = new ArrayList<>();
    Arrays.stream(u.counts()).forEach(n -> v.add(String.valueOf(n)));
    for (Double rate : u.rates()) {
      v.add(rate == null ? "null" : String.format(Locale.ROOT, "%.9f", rate));
    }
    v.add(String.valueOf(u.billable()));
    v.add(plain(u.revenue()));
    return String.join(" ", v);
  }

  static String plain(BigDecimal d) {
    return d == null ? "null" : d.stripTrailingZeros().toPlainString();
  }

  private static BigDecimal[] zeros(int n) {
    BigDecimal[] z = new BigDecimal[n];
    Arrays.fill(z, BigDecimal.ZERO);
    return z;
  }
}
