package dev.chatledger.datasets.generator;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Writes a synthetic landing zone exactly as CONTRACT section 1 lays it out: four JSON-lines feeds
 * partitioned by arrival date plus the reference CSVs.
 *
 * <p>It streams: each (day, shard) pair writes its own files and holds only the current
 * conversation in memory, so 10 million messages a day need no more memory than 10 thousand. The
 * output depends only on the options (the shard count is fixed, not the thread count).
 */
public final class LandingZoneGenerator {

  /** What to generate. */
  public record Options(Path out, LocalDate from, int days, long messagesPerDay, long seed, Lateness lateness) {
    public Options {
      if (days < 1) {
        throw new IllegalArgumentException("days must be >= 1, got: " + days);
      }
      if (messagesPerDay < 1) {
        throw new IllegalArgumentException("messages per day must be >= 1, got: " + messagesPerDay);
      }
    }

    /** With the {@link Lateness#USUAL} late lines and redeliveries. */
    public Options(Path out, LocalDate from, int days, long messagesPerDay, long seed) {
      this(out, from, days, messagesPerDay, seed, Lateness.USUAL);
    }
  }

  /**
   * How lines arrive after their event: a share of them lands 1 to {@code maxLateDays} days late,
   * and a share is delivered twice, the second copy up to {@code redeliveryDays} days after the
   * first.
   */
  public record Lateness(double lateShare, int maxLateDays, double redeliveryShare, int redeliveryDays) {
    /** What the generator has always written: 3% late by 1-3 days, 1% redelivered within a day. */
    public static final Lateness USUAL = new Lateness(0.03, 3, 0.01, 1);

    public Lateness {
      if (lateShare < 0 || lateShare > 1 || redeliveryShare < 0 || redeliveryShare > 1) {
        throw new IllegalArgumentException("shares must be within 0..1, got: " + lateShare + ", " + redeliveryShare);
      }
      if (maxLateDays < 1 || redeliveryDays < 1) {
        throw new IllegalArgumentException("late and redelivery days must be >= 1, got: " + maxLateDays + ", " + redeliveryDays);
      }
    }
  }

  /** What was written. */
  public record Summary(long messages, Map<String, Long> linesPerFeed, long millis) {
    public long lines() {
      return linesPerFeed.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  static final int SHARDS = 4;
  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter UTC_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter OFFSET_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxxx");
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;

  private static final String[][] TEMPLATES = {
    {"spring_sale", "marketing"}, {"new_collection", "marketing"}, {"cart_reminder", "marketing"},
    {"loyalty_points", "marketing"}, {"order_shipped", "utility"}, {"payment_received", "utility"},
    {"appointment_reminder", "utility"}, {"delivery_update", "utility"}, {"login_code", "authentication"},
    {"verify_account", "authentication"}
  };
  private static final String[] LANGUAGES = {"en", "en_IN", "hi", "pt_BR", "es", "id", "en_US"};
  private static final String[] INBOUND_TYPES = {"text", "text", "text", "image", "audio", "location", "sticker", "reaction", "document", "video"};
  private static final String[] SERVICE_TYPES = {"text", "text", "interactive", "image", "document"};
  /** Share of conversations (not prompted in them) whose user opted in beforehand. */
  private static final double OPTED_IN_BEFOREHAND = 0.93;
  private static final String[] CONSENT_SOURCES = {"website", "in_chat", "ad", "sms", "qr", "import", "other"};

  private final Options options;
  private final Population population;
  private final ReferenceData reference;

  public LandingZoneGenerator(Options options) {
    this.options = options;
    this.population = new Population(options.seed(), options.messagesPerDay(), options.from(), options.days());
    this.reference = ReferenceData.load();
  }

  /** Generates every day; {@code progress} receives one line per finished day. */
  public Summary run(Consumer<String> progress) {
    long started = System.currentTimeMillis();
    writeReferenceFiles();
    Map<String, AtomicLong> lines = new TreeMap<>();
    for (String feed : List.of("messages", "statuses", "consents", "billing")) {
      lines.put(feed, new AtomicLong());
    }
    AtomicLong messages = new AtomicLong();
    int threads = Math.max(1, Math.min(SHARDS, Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int d = 0; d < options.days(); d++) {
        LocalDate day = options.from().plusDays(d);
        List<Future<?>> work = new ArrayList<>();
        for (int s = 0; s < SHARDS; s++) {
          int shard = s;
          work.add(pool.submit(() -> new DayShard(day, shard, lines, messages).generate()));
        }
        for (Future<?> f : work) {
          f.get();
        }
        progress.accept(String.format("generated %s (day %d of %d): %,d messages so far, %.1f s",
            day, d + 1, options.days(), messages.get(), (System.currentTimeMillis() - started) / 1000.0));
      }
    } catch (Exception e) {
      throw new IllegalStateException("generation failed: " + e.getMessage(), e);
    } finally {
      pool.shutdownNow();
    }
    Map<String, Long> perFeed = new TreeMap<>();
    lines.forEach((k, v) -> perFeed.put(k, v.get()));
    return new Summary(messages.get(), perFeed, System.currentTimeMillis() - started);
  }

  private void writeReferenceFiles() {
    Path dir = options.out().resolve("reference");
    try {
      Files.createDirectories(dir);
      for (String file : ReferenceData.SHIPPED_FILES) {
        try (InputStream in = ReferenceData.open(file)) {
          Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("businesses.csv"), StandardCharsets.UTF_8)) {
        w.write("business_id,name,country,timezone,vertical,account_type,verified,registered_at\n");
        for (Population.Business b : population.businesses) {
          w.write(String.join(",", b.id(), b.name(), population.countryIso(b.country()), b.timezone(),
              b.vertical(), b.accountType(), Boolean.toString(b.verified()),
              DateTimeFormatter.ISO_INSTANT.format(b.registeredAt())));
          w.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One shard of one day: a deterministic stream of conversations written to its own files. */
  private final class DayShard {
    private final LocalDate day;
    private final int shard;
    private final long dayStart;
    private final long windowEnd;
    private final SplittableRandom rnd;
    private final Map<String, AtomicLong> lineCounts;
    private final AtomicLong messageCount;
    private final Map<String, Writer> writers = new HashMap<>();
    private final Map<String, Long> localLines = new HashMap<>();
    private final StringWriter buffer = new StringWriter(512);
    private final String idPrefix;
    private long counter;
    private long messages;

    DayShard(LocalDate day, int shard, Map<String, AtomicLong> lineCounts, AtomicLong messageCount) {
      this.day = day;
      this.shard = shard;
      this.dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      this.windowEnd = options.from().plusDays(options.days()).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      this.rnd = new SplittableRandom(Population.mix(options.seed(), day.toEpochDay() * 31 + shard));
      this.lineCounts = lineCounts;
      this.messageCount = messageCount;
      this.idPrefix = day.toString().replace("-", "") + shard;
    }

    void generate() {
      long target = options.messagesPerDay() / SHARDS + (shard < options.messagesPerDay() % SHARDS ? 1 : 0);
      try {
        while (messages < target) {
          conversation();
        }
      } finally {
        closeAll();
      }
      messageCount.addAndGet(messages);
      localLines.forEach((feed, n) -> lineCounts.get(feed).addAndGet(n));
    }

    // ---- conversations ----------------------------------------------------------------

    private void conversation() {
      Population.Business b = pickBusiness();
      long registered = b.registeredAt().toEpochMilli();
      long t0 = dayStart + rnd.nextLong(DAY);
      if (t0 < registered) {
        return; // not on the platform yet
      }
      int user = pickUser(b);
      String pn = b.id().replace("b-", "pn-") + "-" + (1 + rnd.nextInt(b.phoneNumbers()));
      double r = rnd.nextDouble();
      boolean asked = rnd.nextDouble() < 0.10;
      if (asked) {
        consentLifecycle(b, user, t0);
      }
      if (!asked && rnd.nextDouble() < OPTED_IN_BEFOREHAND) {
        // most users a business talks to opted in earlier (a website form, an import...); the
        // templates to the rest are the consent violations the adoption tables look for
        consent(b, user, "opt_in", t0 - 60_000L - rnd.nextLong(30 * DAY));
      }
      if (r < 0.42) {
        // business-initiated template: a campaign, an update or a code
        String[] template = pickTemplate(b);
        outbound(b, pn, user, t0, "template", template, false, false);
        if (rnd.nextDouble() < 0.18) {
          long reply = t0 + 60_000L + rnd.nextLong(2 * HOUR);
          inbound(b, pn, user, reply, rnd.nextBoolean() ? "button_reply" : "text", null);
          serviceReplies(b, pn, user, reply);
        }
      } else if (r < 0.82) {
        // user-initiated, sometimes from a click-to-chat ad
        String referral = rnd.nextDouble() < 0.12 ? (rnd.nextDouble() < 0.8 ? "ad" : "page") : null;
        inbound(b, pn, user, t0, INBOUND_TYPES[rnd.nextInt(INBOUND_TYPES.length)], referral);
        double answer = rnd.nextDouble();
        if (answer < 0.78) {
          serviceReplies(b, pn, user, t0);
          if (rnd.nextDouble() < 0.25) {
            // a follow-up utility template inside the window (free under pmp-2025-07)
            outbound(b, pn, user, t0 + 10 * 60_000L + rnd.nextLong(20 * HOUR), "template", utilityTemplate(),
                true, referral != null);
          }
        } else if (answer < 0.90) {
          // answered late: around the 24h boundary, sometimes just outside the window
          long late = t0 + 22 * HOUR + rnd.nextLong(8 * HOUR);
          outbound(b, pn, user, late, "template", utilityTemplate(), late - t0 < DAY,
              referral != null && late - t0 < DAY);
        } else if (answer < 0.95 && rnd.nextDouble() < 0.5) {
          inbound(b, pn, user, t0 + 30_000L, "list_reply", null);
          serviceReplies(b, pn, user, t0 + 30_000L);
        }
      } else {
        // order updates and one-time passwords
        String[] template = rnd.nextDouble() < 0.6 ? utilityTemplate() : authTemplate();
        outbound(b, pn, user, t0, "template", template, false, false);
      }
    }

    private void serviceReplies(Population.Business b, String pn, int user, long after) {
      int n = 1 + rnd.nextInt(3);
      long t = after;
      for (int i = 0; i < n; i++) {
        t += 20_000L + rnd.nextLong(20 * 60_000L);
        outbound(b, pn, user, t, SERVICE_TYPES[rnd.nextInt(SERVICE_TYPES.length)], null, true, false);
      }
    }

    private Population.Business pickBusiness() {
      // businesses are split across shards by index; weighted draw until one of ours
      while (true) {
        int b = Population.pick(population.businessCumWeight, rnd.nextDouble());
        if (b % SHARDS == shard || population.businesses.size() < SHARDS) {
          return population.businesses.get(b);
        }
      }
    }

    private int pickUser(Population.Business b) {
      int[] local = population.usersByCountry[b.country()];
      // businesses mostly reach users across the platform's user base, a share in their own country
      if (local.length > 0 && rnd.nextDouble() < 0.3) {
        return local[rnd.nextInt(local.length)];
      }
      return rnd.nextInt(population.userCount);
    }

    private String[] pickTemplate(Population.Business b) {
      double r = rnd.nextDouble();
      if (r < b.marketingShare()) {
        return TEMPLATES[rnd.nextInt(4)];
      }
      return r < b.marketingShare() + (1 - b.marketingShare()) * 0.6 ? utilityTemplate() : authTemplate();
    }

    private String[] utilityTemplate() {
      return TEMPLATES[4 + rnd.nextInt(4)];
    }

    private String[] authTemplate() {
      return TEMPLATES[8 + rnd.nextInt(2)];
    }

    // ---- events -----------------------------------------------------------------------

    private void inbound(Population.Business b, String pn, int user, long t, String type, String referral) {
      if (t >= windowEnd) {
        return;
      }
      messages++;
      String line = json(g -> {
        g.writeStringField("event_id", nextId("e"));
        g.writeStringField("message_id", "wamid." + nextId("i"));
        g.writeStringField("direction", "inbound");
        g.writeStringField("sent_at", instant(t, b));
        g.writeStringField("business_id", b.id());
        g.writeStringField("phone_number_id", pn);
        identity(g, user);
        g.writeStringField("type", type);
        if (referral != null) {
          g.writeObjectFieldStart("referral");
          g.writeStringField("source_type", referral);
          g.writeStringField("source_id", referral + "-" + (1000 + rnd.nextInt(9000)));
          g.writeEndObject();
        }
      });
      emit("messages", t, line);
    }

    /**
     * An outbound message with its receipts and, when the platform's rules (as the generator
     * knows them) charge it, a billing line; a small share of lines are deliberately wrong.
     */
    private void outbound(Population.Business b, String pn, int user, long t, String type,
        String[] template, boolean inServiceWindow, boolean inEntryPoint) {
      if (t >= windowEnd) {
        return;
      }
      messages++;
      String messageId = "wamid." + nextId("o");
      String line = json(g -> {
        g.writeStringField("event_id", nextId("e"));
        g.writeStringField("message_id", messageId);
        g.writeStringField("direction", "outbound");
        g.writeStringField("sent_at", instant(t, b));
        g.writeStringField("business_id", b.id());
        g.writeStringField("phone_number_id", pn);
        identity(g, user);
        g.writeStringField("type", type);
        if (template != null) {
          g.writeObjectFieldStart("template");
          g.writeStringField("name", template[0]);
          g.writeStringField("category", template[1]);
          g.writeStringField("language", LANGUAGES[rnd.nextInt(LANGUAGES.length)]);
          g.writeEndObject();
        }
      });
      emit("messages", t, line);
      Long deliveredAt = statuses(messageId, t, user, template);
      boolean pmp202610 = !Instant.ofEpochMilli(t).atZone(ZoneId.of(b.timezone())).toLocalDate()
          .isBefore(LocalDate.of(2026, 10, 1));
      boolean charged = template != null && !inEntryPoint
          && (!"utility".equals(template[1]) || !inServiceWindow || pmp202610);
      billing(b, user, messageId, template, deliveredAt, charged);
    }

    /** Writes the receipts of one outbound message; returns its delivery instant or null. */
    private Long statuses(String messageId, long sentAt, int user, String[] template) {
      long sent = sentAt + 300 + rnd.nextLong(1_500);
      status(messageId, "sent", sent, null);
      double r = rnd.nextDouble();
      boolean usMarketing = "US".equals(population.countryIso(population.userCountry[user]))
          && template != null && "marketing".equals(template[1]);
      if (r < (usMarketing ? 0.30 : 0.05)) {
        int code = usMarketing ? 131049 : template == null ? 131047 : 131026;
        status(messageId, "failed", sent + 500 + rnd.nextLong(3_000), code);
        if (rnd.nextDouble() < 0.1) {
          long delivered = sent + 60_000L + rnd.nextLong(HOUR);
          status(messageId, "delivered", delivered, null); // a retry got through
          return delivered;
        }
        return null;
      }
      if (r < (usMarketing ? 0.32 : 0.07)) {
        return null; // never confirmed
      }
      long delivered = sent + 200 + rnd.nextLong(20_000);
      double read = rnd.nextDouble();
      if (read < 0.04) {
        status(messageId, "read", delivered + rnd.nextLong(600_000), null); // read without delivered
      } else {
        status(messageId, "delivered", delivered, null);
        if (read < 0.55) {
          status(messageId, "read", delivered + 1_000 + rnd.nextLong(900_000), null);
        }
      }
      return delivered;
    }

    private void status(String messageId, String status, long at, Integer errorCode) {
      if (at >= windowEnd) {
        return;
      }
      String line = json(g -> {
        g.writeStringField("event_id", nextId("s"));
        g.writeStringField("message_id", messageId);
        g.writeStringField("status", status);
        g.writeStringField("status_at", UTC_MILLIS.format(Instant.ofEpochMilli(at)));
        if (errorCode != null) {
          g.writeNumberField("error_code", errorCode);
        }
      });
      emit("statuses", at, line);
    }

    private void billing(Population.Business b, int user, String messageId, String[] template,
        Long deliveredAt, boolean charged) {
      if (deliveredAt == null) {
        return;
      }
      String userCountry = population.countryIso(population.userCountry[user]);
      String market = reference.market(userCountry);
      String category = template == null ? "utility" : template[1];
      if ("authentication".equals(category)
          && reference.hasCategory(market, "authentication_international")
          && !userCountry.equals(population.countryIso(b.country()))) {
        category = "authentication_international";
      }
      LocalDate local = Instant.ofEpochMilli(deliveredAt).atZone(ZoneId.of(b.timezone())).toLocalDate();
      BigDecimal rate = reference.listRate(market, category, local);
      double r = rnd.nextDouble();
      String pricingType = "regular";
      if (!charged) {
        if (r >= 0.004 || rate == null) {
          return;
        }
        // deliberate discrepancy: a free message charged anyway
      } else if (rate == null || r < 0.005) {
        return; // no rate, or a deliberately missing charge
      } else if (r < 0.015) {
        rate = rate.multiply(new BigDecimal("1.1")); // deliberately wrong amount
      } else if (r < 0.018) {
        pricingType = "free_customer_service"; // right amount, wrong pricing type
      }
      long billedAt = deliveredAt + HOUR + rnd.nextLong(5 * HOUR);
      String amount = rate.stripTrailingZeros().toPlainString();
      String cat = category;
      String pt = pricingType;
      String charge = json(g -> billingLine(g, messageId, b, "charge", cat, pt, amount, billedAt));
      emit("billing", billedAt, charge);
      if (rnd.nextDouble() < 0.004) {
        long refundAt = billedAt + DAY + rnd.nextLong(DAY);
        emit("billing", refundAt, json(g -> billingLine(g, messageId, b, "refund", cat, pt, amount, refundAt)));
      }
    }

    private void billingLine(JsonGenerator g, String messageId, Population.Business b, String kind,
        String category, String pricingType, String amount, long at) throws IOException {
      g.writeStringField("billing_event_id", nextId("bl"));
      g.writeStringField("message_id", messageId);
      g.writeStringField("business_id", b.id());
      g.writeStringField("kind", kind);
      g.writeStringField("category", category);
      g.writeStringField("pricing_type", pricingType);
      g.writeStringField("amount", amount);
      g.writeStringField("currency", "USD");
      g.writeStringField("billed_at", UTC_MILLIS.format(Instant.ofEpochMilli(at)));
    }

    /** A prompt, usually an opt-in within days, and sometimes an opt-out, a block, an unblock. */
    private void consentLifecycle(Population.Business b, int user, long t0) {
      long prompt = Math.max(dayStart, t0 - rnd.nextLong(6 * HOUR));
      consent(b, user, "prompt", prompt);
      double r = rnd.nextDouble();
      long optIn;
      if (r < 0.03) {
        optIn = prompt - rnd.nextLong(DAY); // opted in before being asked (e.g. imported)
      } else if (r < 0.72) {
        optIn = prompt + (long) (rnd.nextDouble() * rnd.nextDouble() * 9 * DAY);
      } else {
        return;
      }
      consent(b, user, "opt_in", optIn);
      double after = rnd.nextDouble();
      if (after < 0.06) {
        consent(b, user, "opt_out", optIn + rnd.nextLong(5 * DAY));
      } else if (after < 0.09) {
        long block = optIn + rnd.nextLong(3 * DAY);
        consent(b, user, "block", block);
        if (rnd.nextDouble() < 0.3) {
          consent(b, user, "unblock", block + rnd.nextLong(2 * DAY));
        }
      }
    }

    private void consent(Population.Business b, int user, String action, long at) {
      if (at >= windowEnd || at < b.registeredAt().toEpochMilli()) {
        return;
      }
      String line = json(g -> {
        g.writeStringField("event_id", nextId("c"));
        g.writeStringField("business_id", b.id());
        identity(g, user);
        g.writeStringField("action", action);
        if (!"prompt".equals(action) || rnd.nextBoolean()) {
          g.writeStringField("source", CONSENT_SOURCES[rnd.nextInt(CONSENT_SOURCES.length)]);
        }
        g.writeStringField("occurred_at", UTC_MILLIS.format(Instant.ofEpochMilli(at)));
      });
      emit("consents", Math.max(at, dayStart), line);
    }

    private void identity(JsonGenerator g, int user) throws IOException {
      if (!population.userIdOnly[user]) {
        g.writeStringField("user_phone", population.userPhone(user));
      }
      if (population.userIdOnly[user] || population.userBoth[user]) {
        g.writeStringField("user_id", population.userId(user));
      }
    }

    private String instant(long t, Population.Business b) {
      Instant i = Instant.ofEpochMilli(t);
      // most producers write UTC; a few write the business's local offset
      return rnd.nextDouble() < 0.02 ? OFFSET_MILLIS.format(i.atZone(ZoneId.of(b.timezone()))) : UTC_MILLIS.format(i);
    }

    private String nextId(String kind) {
      return kind + "-" + idPrefix + "-" + Long.toString(counter++, 36);
    }

    // ---- writing ------------------------------------------------------------------------

    /**
     * Lands one line: on its event's UTC date, or late ({@link Lateness}); some are delivered twice
     * and about 0.1% are corrupted on the way.
     */
    private void emit(String feed, long eventAt, String line) {
      Lateness lateness = options.lateness();
      LocalDate eventDate = LocalDate.ofEpochDay(Math.floorDiv(eventAt, DAY));
      LocalDate arrival = eventDate.isBefore(day) ? day : eventDate;
      if (rnd.nextDouble() < lateness.lateShare()) {
        arrival = arrival.plusDays(1 + rnd.nextInt(lateness.maxLateDays()));
      }
      double r = rnd.nextDouble();
      if (r < 0.001) {
        line = corrupt(feed, line);
      }
      write(feed, arrival, line);
      if (r > 1 - lateness.redeliveryShare()) {
        write(feed, arrival.plusDays(redeliveryDelay(lateness.redeliveryDays())), line);
      }
    }

    private int redeliveryDelay(int maxDays) {
      // within a day it draws as it always did, so that a seed's usual landing zone stays the same
      return maxDays == 1 ? (rnd.nextBoolean() ? 0 : 1) : rnd.nextInt(maxDays + 1);
    }

    private String corrupt(String feed, String line) {
      int kind = rnd.nextInt(7);
      return switch (kind) {
        case 0 -> line.substring(0, line.length() / 2); // invalid_json
        case 1 -> line.replaceFirst("\"(message_id|business_id|status|action|kind)\":\"[^\"]*\",", ""); // missing_field
        case 2 -> line.replaceFirst("(_at\":)\"[^\"]*\"", "$11700000000"); // wrong_type
        case 3 -> line.replaceFirst("\"(direction|status|action|kind)\":\"", "\"$1\":\"x_"); // unknown_enum
        case 4 -> line.replaceFirst("(_at\":\"[0-9-]+)T", "$1 "); // bad_timestamp
        case 5 -> line.contains("\"user_phone\":\"")
            ? line.replaceFirst("(\"user_phone\":\"\\+[0-9]{3})[0-9]+", "$100") // invalid_phone
            : line.replaceFirst("(\"amount\":\")", "$1-"); // negative_amount
        default -> line.contains("\"user_id\":\"")
            ? line.replaceFirst("\"user_id\":\"[A-Z]{2}\\.", "\"user_id\":\"XQ.") // invalid_user_id
            : line.replaceFirst("(\"amount\":\"[0-9.]+)\"", "$10000001\""); // bad_amount
      };
    }

    private void write(String feed, LocalDate arrival, String line) {
      String key = feed + "/dt=" + arrival;
      try {
        Writer w = writers.get(key);
        if (w == null) {
          Path dir = options.out().resolve(feed).resolve("dt=" + arrival);
          Files.createDirectories(dir);
          w = Files.newBufferedWriter(dir.resolve("part-" + day + "-s" + shard + ".jsonl"), StandardCharsets.UTF_8);
          writers.put(key, w);
        }
        w.write(line);
        w.write('\n');
        localLines.merge(feed, 1L, Long::sum);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void closeAll() {
      for (Writer w : writers.values()) {
        try {
          w.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      writers.clear();
    }

    private String json(JsonBody body) {
      buffer.getBuffer().setLength(0);
      try (JsonGenerator g = JSON.createGenerator(buffer)) {
        g.writeStartObject();
        body.write(g);
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return buffer.toString();
    }
  }

  @FunctionalInterface
  private interface JsonBody {
    void write(JsonGenerator g) throws IOException;
  }
}
