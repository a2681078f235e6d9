package dev.chatledger.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * CONTRACT 2, 3 and 4 read a second time, in plain Java and without Spark: every landed line of a
 * landing zone at once, each rule as the contract words it (loops over lists, no horizons, no
 * month-to-date counters, no state). The end-to-end tests compare what the nights published with
 * it: an independent implementation of the same text, so that a rule the pipeline's incremental
 * path gets wrong shows up as a row that differs.
 */
final class ContractReference {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
  private static final Set<String> ISO = Set.of(Locale.getISOCountries());
  private static final Pattern INSTANT =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})");
  private static final Set<String> TYPES = Set.of("template", "text", "interactive", "button_reply", "list_reply",
      "image", "video", "audio", "document", "location", "sticker", "reaction");
  private static final Set<String> TEMPLATE_CATEGORIES = Set.of("marketing", "utility", "authentication");
  private static final Set<String> BILLING_CATEGORIES =
      Set.of("marketing", "utility", "authentication", "authentication_international", "service");
  private static final Set<String> PRICING_TYPES = Set.of("regular", "free_customer_service", "free_entry_point");
  private static final LocalDate PMP_2025_07 = LocalDate.parse("2025-07-01");
  private static final LocalDate PMP_2026_10 = LocalDate.parse("2026-10-01");
  private static final int FREE_SERVICE_MESSAGES = 1_000;

  record Message(String id, boolean outbound, Instant sentAt, String business, String phoneNumberId, String user,
      String userCountry, String type, String templateCategory, boolean referral) {}

  record Line(String messageId, String business, String kind, String category, String pricingType, BigDecimal amount,
      Instant billedAt) {}

  /** One outbound message as CONTRACT 2 rates it. */
  record Rated(String messageId, String business, String userCountry, String market, String category, String policy,
      String pricingType, boolean billable, Instant deliveredAt, LocalDate revenueDate, String localMonth,
      Integer tierFrom, BigDecimal price) {}

  /** One row of {@code gold.billing_reconciliation}. */
  record Reconciled(String messageId, String business, LocalDate revenueDate, LocalDate date, BigDecimal expected,
      BigDecimal billed, String outcome) {}

  /** One consent event (CONTRACT 1, 4). */
  record Consent(String id, String business, String user, String userCountry, String action, Instant at) {}

  record RateRow(String market, String category, LocalDate effectiveFrom, long tierFrom, BigDecimal price) {}

  record Business(String country, ZoneId zone) {}

  /**
   * One row of {@code gold.regional_usage_daily}: the ten counts in the table's column order, the
   * delivered, read and interactive rates (null without a denominator), billable messages, revenue.
   */
  record RegionalUsage(long[] counts, Double[] rates, long billable, BigDecimal revenue) {}

  final List<Message> messages = new ArrayList<>();
  final Map<String, Instant> deliveredAt = new HashMap<>();
  final Set<String> read = new HashSet<>();
  final List<Line> lines = new ArrayList<>();
  final List<Consent> consents = new ArrayList<>();
  final Map<String, String> markets = new HashMap<>();
  final Map<String, Business> businesses = new HashMap<>();
  final List<RateRow> rateCard = new ArrayList<>();

  /** Reads every feed of {@code landing} in arrival order, keeping the first valid copy of each event. */
  static ContractReference read(Path landing) {
    ContractReference c = new ContractReference();
    c.readReference(landing.resolve("reference"));
    Set<String> seen = new HashSet<>();
    // firstCopies keeps only the lines that pass their feed's checks (valid below)
    for (JsonNode n : c.firstCopies(landing.resolve("messages"), "event_id", seen)) {
      c.messages.add(c.message(n));
    }
    for (JsonNode n : c.firstCopies(landing.resolve("statuses"), "event_id", seen)) {
      String id = text(n, "message_id");
      String status = text(n, "status");
      if (status.equals("read")) {
        c.read.add(id);
      }
      if (status.equals("delivered") || status.equals("read")) {
        c.deliveredAt.merge(id, instant(n, "status_at"), (a, b) -> a.isBefore(b) ? a : b);
      }
    }
    for (JsonNode n : c.firstCopies(landing.resolve("consents"), "event_id", seen)) {
      c.consents.add(consent(n));
    }
    for (JsonNode n : c.firstCopies(landing.resolve("billing"), "billing_event_id", seen)) {
      c.lines.add(line(n));
    }
    return c;
  }

  /** The outbound messages, rated. */
  Map<String, Rated> rate() {
    Map<String, List<Message>> conversations = new HashMap<>();
    for (Message m : messages) {
      conversations.computeIfAbsent(m.phoneNumberId() + "|" + m.user(), k -> new ArrayList<>()).add(m);
    }
    record Draft(Message m, String policy, String category, String market, boolean inFep, Instant delivered) {}
    List<Draft> drafts = new ArrayList<>();
    for (Message m : messages) {
      if (!m.outbound()) {
        continue;
      }
      List<Message> conversation = conversations.get(m.phoneNumberId() + "|" + m.user());
      LocalDate sentLocal = localDate(m.business(), m.sentAt());
      String policy = sentLocal.isBefore(PMP_2025_07) ? null : sentLocal.isBefore(PMP_2026_10) ? "pmp-2025-07" : "pmp-2026-10";
      String market = markets.getOrDefault(m.userCountry(), "Other");
      String category = m.type().equals("template") ? m.templateCategory() : "service";
      Business b = businesses.get(m.business());
      if (category.equals("authentication") && b != null && b.country() != null && !b.country().equals(m.userCountry())
          && rateCard.stream().anyMatch(r -> r.market().equals(market) && r.category().equals("authentication_international"))) {
        category = "authentication_international";
      }
      drafts.add(new Draft(m, policy, category, market, inFreeEntryPoint(m, conversation), deliveredAt.get(m.id())));
    }
    Map<String, String> pricingTypes = new HashMap<>();
    Map<String, List<Draft>> quota = new HashMap<>();
    for (Draft d : drafts) {
      Message m = d.m();
      boolean template = m.type().equals("template");
      String pricing;
      if (d.policy() == null) {
        pricing = null;
      } else if (template && d.inFep()) {
        pricing = "free_entry_point";
      } else if (d.policy().equals("pmp-2025-07")) {
        if (!template) {
          pricing = "free_customer_service";
        } else if (m.templateCategory().equals("utility")) {
          pricing = inCustomerService(m, conversations.get(m.phoneNumberId() + "|" + m.user())) ? "free_customer_service" : "regular";
        } else {
          pricing = "regular";
        }
      } else if (template) {
        pricing = "regular";
      } else if (d.inFep()) {
        pricing = "free_entry_point"; // a service message inside an FEP: free under pmp-2026-10 only
      } else if (d.delivered() == null) {
        pricing = "free_customer_service";
      } else {
        pricing = null; // the service quota decides, below
        quota.computeIfAbsent(m.phoneNumberId() + "|" + localMonth(m.business(), d.delivered()), k -> new ArrayList<>()).add(d);
      }
      pricingTypes.put(m.id(), pricing);
    }
    Comparator<Draft> byDelivery = Comparator.comparing(Draft::delivered).thenComparing(d -> d.m().id());
    for (List<Draft> month : quota.values()) {
      month.sort(byDelivery);
      for (int i = 0; i < month.size(); i++) {
        pricingTypes.put(month.get(i).m().id(), i < FREE_SERVICE_MESSAGES ? "free_customer_service" : "regular");
      }
    }
    Map<String, List<Draft>> tiers = new HashMap<>();
    for (Draft d : drafts) {
      if (d.delivered() != null && "regular".equals(pricingTypes.get(d.m().id()))) {
        tiers.computeIfAbsent(String.join("|", d.m().business(), d.market(), d.category(),
            localMonth(d.m().business(), d.delivered())), k -> new ArrayList<>()).add(d);
      }
    }
    Map<String, Long> n = new HashMap<>();
    for (List<Draft> month : tiers.values()) {
      month.sort(byDelivery);
      for (int i = 0; i < month.size(); i++) {
        n.put(month.get(i).m().id(), (long) i);
      }
    }
    Map<String, Rated> rated = new TreeMap<>();
    for (Draft d : drafts) {
      Message m = d.m();
      String pricing = pricingTypes.get(m.id());
      boolean billable = n.containsKey(m.id());
      Integer tierFrom = null;
      BigDecimal price = BigDecimal.ZERO;
      if (billable) {
        RateRow row = price(d.market(), d.category(), localDate(m.business(), d.delivered()), n.get(m.id()));
        if (row != null) {
          tierFrom = (int) row.tierFrom();
          price = row.price();
        }
      }
      rated.put(m.id(), new Rated(m.id(), m.business(), m.userCountry(), d.market(), d.category(), d.policy(), pricing,
          billable, d.delivered(), d.delivered() == null ? null : LocalDate.ofInstant(d.delivered(), ZoneOffset.UTC),
          d.delivered() == null ? null : localMonth(m.business(), d.delivered()), tierFrom, price));
    }
    return rated;
  }

  /** CONTRACT 3 and 7, per message. */
  Map<String, Reconciled> reconcile(Map<String, Rated> rated) {
    Map<String, List<Line>> byMessage = new LinkedHashMap<>();
    for (Line l : lines) {
      byMessage.computeIfAbsent(l.messageId(), k -> new ArrayList<>()).add(l);
    }
    Map<String, Reconciled> rows = new TreeMap<>();
    for (Rated r : rated.values()) {
      BigDecimal expected = r.billable() ? r.price() : BigDecimal.ZERO;
      if (expected.signum() > 0 || byMessage.containsKey(r.messageId())) {
        rows.put(r.messageId(), outcome(r, expected, byMessage.getOrDefault(r.messageId(), List.of())));
      }
    }
    for (Map.Entry<String, List<Line>> e : byMessage.entrySet()) {
      if (!rated.containsKey(e.getKey())) {
        List<Line> ls = e.getValue();
        rows.put(e.getKey(), new Reconciled(e.getKey(), ls.stream().map(Line::business).min(String::compareTo).orElseThrow(),
            null, firstBilled(ls), null, billed(ls), "unknown_message"));
      }
    }
    return rows;
  }

  private static Reconciled outcome(Rated r, BigDecimal expected, List<Line> ls) {
    BigDecimal billed = billed(ls);
    String outcome;
    if (billed.signum() < 0) {
      outcome = "amount_mismatch";
    } else if (expected.compareTo(billed) == 0) {
      boolean differs = ls.stream().anyMatch(l -> !Objects.equals(l.category(), r.category())
          || !Objects.equals(l.pricingType(), r.pricingType()));
      outcome = expected.signum() > 0 && differs ? "category_mismatch" : "match";
    } else if (expected.signum() > 0 && billed.signum() == 0) {
      outcome = "missing_charge";
    } else if (expected.signum() == 0 && billed.signum() > 0) {
      outcome = "unexpected_charge";
    } else {
      outcome = "amount_mismatch";
    }
    LocalDate date = r.revenueDate() != null ? r.revenueDate() : firstBilled(ls);
    return new Reconciled(r.messageId(), r.business(), r.revenueDate(), date, expected, billed, outcome);
  }

  // ---- CONTRACT 4

  /** Whether (business, user) has an active opt-in at {@code t}: events at or before it count. */
  private boolean active(List<Consent> pairEvents, Instant t) {
    Consent optIn = null;
    Consent block = null;
    for (Consent c : pairEvents) { // ordered by (instant, event_id): the last one at or before t wins
      if (c.at().isAfter(t)) {
        break;
      }
      if (c.action().equals("opt_in") || c.action().equals("opt_out")) {
        optIn = c;
      } else if (c.action().equals("block") || c.action().equals("unblock")) {
        block = c;
      }
    }
    return optIn != null && optIn.action().equals("opt_in") && (block == null || !block.action().equals("block"));
  }

  private Map<String, List<Consent>> byPair() {
    Map<String, List<Consent>> pairs = new HashMap<>();
    for (Consent c : consents) {
      pairs.computeIfAbsent(c.business() + "|" + c.user(), k -> new ArrayList<>()).add(c);
    }
    pairs.values().forEach(l -> l.sort(Comparator.comparing(Consent::at).thenComparing(Consent::id)));
    return pairs;
  }

  /** {@code gold.optin_cohorts}: prompt_date|business|user_country to {prompted, opted_in}. */
  Map<String, long[]> cohorts() {
    Map<String, List<Consent>> pairs = byPair();
    Map<String, Set<String>> prompted = new TreeMap<>();
    Map<String, Set<String>> optedIn = new TreeMap<>();
    for (Consent p : consents) {
      if (!p.action().equals("prompt")) {
        continue;
      }
      String cohort = String.join("|", LocalDate.ofInstant(p.at(), ZoneOffset.UTC).toString(), p.business(), p.userCountry());
      prompted.computeIfAbsent(cohort, k -> new HashSet<>()).add(p.user());
      boolean converted = pairs.get(p.business() + "|" + p.user()).stream().anyMatch(c -> c.action().equals("opt_in")
          && !c.at().isBefore(p.at()) && !c.at().isAfter(p.at().plus(Duration.ofDays(7))));
      if (converted) {
        optedIn.computeIfAbsent(cohort, k -> new HashSet<>()).add(p.user());
      }
    }
    Map<String, long[]> out = new TreeMap<>();
    prompted.forEach((k, users) -> out.put(k, new long[] {users.size(), optedIn.getOrDefault(k, Set.of()).size()}));
    return out;
  }

  /**
   * {@code gold.consent_daily}: date|business to {prompts, opt_ins, opt_outs, blocks, unblocks,
   * blocking_users, active_optin_base, marketing_recipients}.
   */
  Map<String, long[]> consentDaily() {
    Map<String, List<Consent>> pairs = byPair();
    Map<String, Set<String>> recipients = new HashMap<>();
    for (Message m : messages) {
      Instant d = deliveredAt.get(m.id());
      if (m.outbound() && "marketing".equals(m.templateCategory()) && d != null) {
        recipients.computeIfAbsent(LocalDate.ofInstant(d, ZoneOffset.UTC) + "|" + m.business(), k -> new HashSet<>())
            .add(m.user());
      }
    }
    Set<String> days = new TreeSet<>(recipients.keySet());
    Map<String, long[]> out = new TreeMap<>();
    Map<String, Set<String>> blockers = new HashMap<>();
    List<String> actions = List.of("prompt", "opt_in", "opt_out", "block", "unblock");
    for (Consent c : consents) {
      String day = LocalDate.ofInstant(c.at(), ZoneOffset.UTC) + "|" + c.business();
      days.add(day);
      out.computeIfAbsent(day, k -> new long[8])[actions.indexOf(c.action())]++;
      if (c.action().equals("block")) {
        blockers.computeIfAbsent(day, k -> new HashSet<>()).add(c.user());
      }
    }
    for (String day : days) {
      long[] row = out.computeIfAbsent(day, k -> new long[8]);
      String business = day.substring(day.indexOf('|') + 1);
      Instant endOfDay = LocalDate.parse(day.substring(0, day.indexOf('|'))).plusDays(1).atStartOfDay(ZoneOffset.UTC)
          .toInstant().minusNanos(1_000);
      row[5] = blockers.getOrDefault(day, Set.of()).size();
      row[6] = pairs.entrySet().stream().filter(e -> e.getKey().startsWith(business + "|"))
          .filter(e -> active(e.getValue(), endOfDay)).count();
      row[7] = recipients.getOrDefault(day, Set.of()).size();
    }
    return out;
  }

  /** {@code gold.regional_usage_daily}, by date|user_country|market. */
  Map<String, RegionalUsage> regionalUsage(Map<String, Rated> rated) {
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, Set<String>> businessesOf = new HashMap<>();
    Map<String, Set<String>> usersOf = new HashMap<>();
    Map<String, BigDecimal> revenue = new HashMap<>();
    for (Message m : messages) {
      String key = String.join("|", LocalDate.ofInstant(m.sentAt(), ZoneOffset.UTC).toString(), m.userCountry(),
          markets.getOrDefault(m.userCountry(), "Other"));
      long[] c = counts.computeIfAbsent(key, k -> new long[9]);
      businessesOf.computeIfAbsent(key, k -> new HashSet<>()).add(m.business());
      usersOf.computeIfAbsent(key, k -> new HashSet<>()).add(m.user());
      if (!m.outbound()) {
        c[0]++;
        c[8] += m.type().equals("button_reply") || m.type().equals("list_reply") ? 1 : 0;
        continue;
      }
      c[1]++;
      if (m.type().equals("template")) {
        c[List.of("marketing", "utility", "authentication").indexOf(m.templateCategory()) + 2]++;
      }
      c[5] += deliveredAt.containsKey(m.id()) ? 1 : 0;
      c[6] += read.contains(m.id()) ? 1 : 0;
    }
    for (Rated r : rated.values()) {
      if (r.billable()) {
        String key = String.join("|", r.revenueDate().toString(), r.userCountry(), r.market());
        counts.computeIfAbsent(key, k -> new long[9])[7]++;
        revenue.merge(key, r.price(), BigDecimal::add);
      }
    }
    Map<String, RegionalUsage> out = new TreeMap<>();
    counts.forEach((k, c) -> out.put(k, new RegionalUsage(
        new long[] {businessesOf.getOrDefault(k, Set.of()).size(), usersOf.getOrDefault(k, Set.of()).size(),
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[8]},
        new Double[] {ratio(c[5], c[1]), ratio(c[6], c[1]), ratio(c[8], c[0])},
        c[7], revenue.getOrDefault(k, BigDecimal.ZERO))));
    return out;
  }

  private static Double ratio(long numerator, long denominator) {
    return denominator == 0 ? null : (double) numerator / denominator;
  }

  /** {@code gold.consent_violations}: the templates sent without an active opt-in, by message id. */
  Set<String> violations() {
    Map<String, List<Consent>> pairs = byPair();
    Set<String> out = new TreeSet<>();
    for (Message m : messages) {
      if (m.outbound() && m.type().equals("template")
          && !active(pairs.getOrDefault(m.business() + "|" + m.user(), List.of()), m.sentAt())) {
        out.add(m.id());
      }
    }
    return out;
  }

  private static BigDecimal billed(List<Line> ls) {
    BigDecimal b = BigDecimal.ZERO;
    for (Line l : ls) {
      b = l.kind().equals("refund") ? b.subtract(l.amount()) : b.add(l.amount());
    }
    return b;
  }

  private static LocalDate firstBilled(List<Line> ls) {
    return ls.stream().map(Line::billedAt).min(Comparator.naturalOrder())
        .map(t -> LocalDate.ofInstant(t, ZoneOffset.UTC)).orElse(null);
  }

  /** The row of the tier set in force on {@code localDate} with the highest tier_from <= n. */
  private RateRow price(String market, String category, LocalDate localDate, long n) {
    LocalDate inForce = null;
    for (RateRow r : rateCard) {
      if (r.market().equals(market) && r.category().equals(category) && !r.effectiveFrom().isAfter(localDate)
          && (inForce == null || r.effectiveFrom().isAfter(inForce))) {
        inForce = r.effectiveFrom();
      }
    }
    RateRow best = null;
    for (RateRow r : rateCard) {
      if (r.market().equals(market) && r.category().equals(category) && r.effectiveFrom().equals(inForce)
          && r.tierFrom() <= n && (best == null || r.tierFrom() > best.tierFrom())) {
        best = r;
      }
    }
    return best;
  }

  private static boolean inCustomerService(Message m, List<Message> conversation) {
    for (Message i : conversation) {
      if (!i.outbound() && !i.sentAt().isAfter(m.sentAt()) && m.sentAt().isBefore(i.sentAt().plus(Duration.ofHours(24)))) {
        return true;
      }
    }
    return false;
  }

  /** Inside [t0, t0 + 72h) of a referral that an outbound message answered within [t0, t0 + 24h). */
  private static boolean inFreeEntryPoint(Message m, List<Message> conversation) {
    for (Message i : conversation) {
      if (i.outbound() || !i.referral() || i.sentAt().isAfter(m.sentAt())
          || !m.sentAt().isBefore(i.sentAt().plus(Duration.ofHours(72)))) {
        continue;
      }
      for (Message o : conversation) {
        if (o.outbound() && !o.sentAt().isBefore(i.sentAt()) && o.sentAt().isBefore(i.sentAt().plus(Duration.ofHours(24)))) {
          return true;
        }
      }
    }
    return false;
  }

  private ZoneId zone(String business) {
    Business b = businesses.get(business);
    return b == null || b.zone() == null ? ZoneOffset.UTC : b.zone();
  }

  private LocalDate localDate(String business, Instant t) {
    return LocalDate.ofInstant(t, zone(business));
  }

  private String localMonth(String business, Instant t) {
    return localDate(business, t).format(DateTimeFormatter.ofPattern("yyyy-MM"));
  }

  // ---- reading, with the rejections of CONTRACT 7 that a generated zone has

  private Message message(JsonNode n) {
    String direction = text(n, "direction");
    String type = text(n, "type");
    Instant sentAt = instant(n, "sent_at");
    String[] user = user(n);
    if (text(n, "message_id") == null || text(n, "business_id") == null || text(n, "phone_number_id") == null
        || direction == null || !Set.of("inbound", "outbound").contains(direction) || type == null
        || !TYPES.contains(type) || sentAt == null || user == null) {
      return null;
    }
    boolean outbound = direction.equals("outbound");
    String category = null;
    if (type.equals("template")) {
      if (!outbound) {
        return null; // unknown_enum
      }
      JsonNode t = n.get("template");
      category = t == null || !t.isObject() ? null : text(t, "category");
      if (category == null || !TEMPLATE_CATEGORIES.contains(category)) {
        return null;
      }
    }
    JsonNode referral = n.get("referral");
    boolean isReferral = !outbound && referral != null && referral.isObject()
        && (text(referral, "source_type") != null || text(referral, "source_id") != null);
    return new Message(text(n, "message_id"), outbound, sentAt, text(n, "business_id"), text(n, "phone_number_id"),
        user[0], user[1], type, category, isReferral);
  }

  private static final Set<String> SOURCES = Set.of("website", "in_chat", "ad", "sms", "qr", "import", "other");

  private static Consent consent(JsonNode n) {
    String action = text(n, "action");
    Instant at = instant(n, "occurred_at");
    String[] user = user(n);
    JsonNode source = n.get("source");
    if (text(n, "event_id") == null || text(n, "business_id") == null || action == null
        || !Set.of("prompt", "opt_in", "opt_out", "block", "unblock").contains(action) || at == null || user == null
        || (source != null && !source.isNull() && (!source.isTextual() || !SOURCES.contains(source.asText())))) {
      return null;
    }
    return new Consent(text(n, "event_id"), text(n, "business_id"), user[0], user[1], action, at);
  }

  private static Line line(JsonNode n) {
    String kind = text(n, "kind");
    String category = text(n, "category");
    String pricing = text(n, "pricing_type");
    String amount = text(n, "amount");
    Instant billedAt = instant(n, "billed_at");
    if (text(n, "message_id") == null || text(n, "business_id") == null || kind == null
        || !Set.of("charge", "refund").contains(kind) || category == null || !BILLING_CATEGORIES.contains(category)
        || pricing == null || !PRICING_TYPES.contains(pricing) || amount == null || !"USD".equals(text(n, "currency"))
        || billedAt == null) {
      return null;
    }
    BigDecimal a;
    try {
      a = new BigDecimal(amount);
    } catch (NumberFormatException e) {
      return null;
    }
    if (a.signum() < 0 || a.scale() > 6) {
      return null;
    }
    return new Line(text(n, "message_id"), text(n, "business_id"), kind, category, pricing, a, billedAt);
  }

  /** {key, country} of a record's user, or null when it names none validly. */
  private static String[] user(JsonNode n) {
    if (n.hasNonNull("user_phone")) {
      String phone = text(n, "user_phone");
      if (phone == null || !phone.matches("\\+[0-9]+")) {
        return null;
      }
      try {
        PhoneNumber p = PHONES.parse(phone, "ZZ");
        String region = PHONES.isValidNumber(p) ? PHONES.getRegionCodeForNumber(p) : null;
        return region == null || region.equals("ZZ") || region.equals("001") ? null : new String[] {phone, region};
      } catch (NumberParseException e) {
        return null;
      }
    }
    String id = text(n, "user_id");
    if (id == null) {
      return null;
    }
    int dot = id.indexOf('.');
    String prefix = dot < 0 ? id : id.substring(0, dot);
    return ISO.contains(prefix) ? new String[] {id, prefix} : null;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v != null && v.isTextual() ? v.asText() : null;
  }

  private static Instant instant(JsonNode n, String field) {
    String s = text(n, field);
    if (s == null || !INSTANT.matcher(s).matches()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(s).toInstant();
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The records of a feed, first copy of each key by (dt, file name, line); invalid JSON skipped. */
  private List<JsonNode> firstCopies(Path feed, String key, Set<String> seen) {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(feed)) {
      return out;
    }
    for (Path dt : sorted(feed)) {
      for (Path file : sorted(dt)) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".jsonl") && !name.endsWith(".jsonl.gz")) {
          continue;
        }
        try (InputStream raw = Files.newInputStream(file);
            BufferedReader r = new BufferedReader(new InputStreamReader(
                name.endsWith(".gz") ? new GZIPInputStream(raw) : raw, StandardCharsets.UTF_8))) {
          for (String s = r.readLine(); s != null; s = r.readLine()) {
            if (s.isBlank()) {
              continue;
            }
            JsonNode n;
            try {
              n = JSON.readTree(s);
            } catch (IOException e) {
              continue;
            }
            String k = n != null && n.isObject() ? text(n, key) : null;
            if (k == null || !valid(feed.getFileName().toString(), n)) {
              continue;
            }
            if (seen.add(feed.getFileName() + "|" + k)) {
              out.add(n);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return out;
  }

  /** Whether a record passes the checks of its feed: only the first VALID copy of an event counts. */
  private boolean valid(String feed, JsonNode n) {
    return switch (feed) {
      case "messages" -> message(n) != null;
      case "billing" -> line(n) != null;
      case "statuses" -> text(n, "message_id") != null && instant(n, "status_at") != null
          && Set.of("sent", "delivered", "read", "failed").contains(Objects.toString(text(n, "status"), ""))
          && (!n.has("error_code") || n.get("error_code").isNull() || n.get("error_code").isIntegralNumber());
      case "consents" -> consent(n) != null;
      default -> throw new IllegalArgumentException(feed);
    };
  }

  private static List<Path> sorted(Path folder) {
    try (Stream<Path> s = Files.list(folder)) {
      return s.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void readReference(Path folder) {
    for (String[] r : csv(folder.resolve("markets.csv"))) {
      markets.put(r[0], r[1]);
    }
    for (String[] r : csv(folder.resolve("rate_card.csv"))) {
      rateCard.add(new RateRow(r[0], r[1], LocalDate.parse(r[3]), Long.parseLong(r[4]), new BigDecimal(r[5])));
    }
    for (String[] r : csv(folder.resolve("businesses.csv"))) {
      ZoneId zone;
      try {
        zone = r[3].isEmpty() ? null : ZoneId.of(r[3]);
      } catch (DateTimeException e) {
        zone = null;
      }
      businesses.put(r[0], new Business(r[2].isEmpty() ? null : r[2], zone));
    }
  }

  /** A header and plain comma-separated rows (the shipped reference files quote nothing). */
  private static List<String[]> csv(Path file) {
    try {
      return Files.readAllLines(file).stream().skip(1).filter(l -> !l.isBlank()).map(l -> l.split(",", -1)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
