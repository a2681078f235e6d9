package dev.chatledger.datasets.generator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The reference CSVs shipped in datasets/reference (on the classpath under chatledger/reference). */
public final class ReferenceData {
  public static final String RESOURCE_DIR = "chatledger/reference/";
  public static final List<String> SHIPPED_FILES = List.of("markets.csv", "rate_card.csv");

  private final Map<String, String> marketByCountry = new HashMap<>();
  /** (market|category) -> list rates (tier 0) by effective date, ascending. */
  private final Map<String, List<Map.Entry<LocalDate, BigDecimal>>> listRates = new HashMap<>();

  private ReferenceData() {}

  public static ReferenceData load() {
    ReferenceData ref = new ReferenceData();
    for (String[] row : readCsv("markets.csv")) {
      ref.marketByCountry.put(row[0], row[1]);
    }
    for (String[] row : readCsv("rate_card.csv")) {
      if (!"0".equals(row[4])) {
        continue;
      }
      ref.listRates
          .computeIfAbsent(row[0] + "|" + row[1], k -> new ArrayList<>())
          .add(Map.entry(LocalDate.parse(row[3]), new BigDecimal(row[5])));
    }
    ref.listRates.values().forEach(l -> l.sort(Map.Entry.comparingByKey()));
    return ref;
  }

  public static InputStream open(String file) {
    InputStream in = ReferenceData.class.getClassLoader().getResourceAsStream(RESOURCE_DIR + file);
    if (in == null) {
      throw new IllegalStateException("reference file missing from the classpath: " + file);
    }
    return in;
  }

  private static List<String[]> readCsv(String file) {
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
      String line = r.readLine(); // header
      while ((line = r.readLine()) != null) {
        if (!line.isBlank() && !line.startsWith("#")) {
          rows.add(line.split(",", -1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  public String market(String country) {
    return marketByCountry.getOrDefault(country, "Other");
  }

  public boolean hasCategory(String market, String category) {
    return listRates.containsKey(market + "|" + category);
  }

  /** The list rate in force on a local date, or null when the rate card has none. */
  public BigDecimal listRate(String market, String category, LocalDate localDate) {
    List<Map.Entry<LocalDate, BigDecimal>> rates = listRates.get(market + "|" + category);
    if (rates == null) {
      return null;
    }
    BigDecimal price = null;
    for (Map.Entry<LocalDate, BigDecimal> e : rates) {
      if (!e.getKey().isAfter(localDate)) {
        price = e.getValue();
      }
    }
    return price;
  }
}
