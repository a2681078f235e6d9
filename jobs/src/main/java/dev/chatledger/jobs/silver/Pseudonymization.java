package dev.chatledger.jobs.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.when;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Replaces {@code user_phone} / {@code user_id} by {@code user_key} and {@code user_country}
 * (CONTRACT 5, 7): the key is the lower-case hex HMAC-SHA256, under the secret key, of the E.164
 * number as landed, or of the user_id when there is no number; records are not linked across the
 * two. Spark has no HMAC function, hence the one UDF.
 */
public final class Pseudonymization {
  private Pseudonymization() {}

  /** Drops the raw identifiers; expects {@code user_phone}, {@code user_id}, {@code phone_region}. */
  public static Dataset<Row> pseudonymize(Dataset<Row> parsed, String hmacKey) {
    UserDefinedFunction hmac = functions.udf(new HmacSha256(hmacKey), DataTypes.StringType);
    return parsed
        .withColumn("identity_source",
            when(col("user_phone").isNotNull(), lit("phone"))
                .when(col("user_id").isNotNull(), lit("user_id")))
        .withColumn("user_key", hmac.apply(functions.coalesce(col("user_phone"), col("user_id"))))
        .withColumn("user_country",
            when(col("user_phone").isNotNull(), col("phone_region"))
                .otherwise(substring_index(col("user_id"), ".", 1)))
        .drop("user_phone", "user_id", "phone_region");
  }

  /** hex(HMAC-SHA256(key, value)), both UTF-8. */
  public static String hmacHex(String key, String value) {
    return new HmacSha256(key).call(value);
  }

  /** Serializable so it ships to executors; the Mac is per thread and never serialized. */
  static final class HmacSha256 implements UDF1<String, String>, Serializable {
    private final byte[] key;
    private transient ThreadLocal<Mac> mac;

    HmacSha256(String key) {
      this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String call(String value) {
      if (value == null) {
        return null;
      }
      if (mac == null) {
        mac = ThreadLocal.withInitial(this::newMac);
      }
      return HexFormat.of().formatHex(mac.get().doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }

    private Mac newMac() {
      try {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(key, "HmacSHA256"));
        return m;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 unavailable", e);
      }
    }

    @Override
    public String toString() {
      return "HmacSha256(key hidden)";
    }
  }
}
