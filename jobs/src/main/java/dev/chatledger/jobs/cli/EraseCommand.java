package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.config.HmacKey;
import dev.chatledger.jobs.config.SparkSessions;
import dev.chatledger.jobs.ops.Erasure;
import dev.chatledger.jobs.tables.Warehouse;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "erase", mixinStandardHelpOptions = true,
    description = {
      "Erases one user on request: deletes their rows from every table, recomputes and publishes the",
      "derived tables, vacuums every table with no retention, and records the request (a hash of the",
      "user's key only) so that no later or replayed landing file brings the user back.",
      "Needs the HMAC key the warehouse was written with."
    })
public final class EraseCommand implements Callable<Integer> {
  @Option(names = "--warehouse", required = true, description = "warehouse root (path or Hadoop URI)")
  String warehouse;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Who who;

  static final class Who {
    @Option(names = "--user-phone", description = "the user's phone number, international form (+CC...)")
    String phone;

    @Option(names = "--user-id", description = "the user's business-scoped user id")
    String userId;
  }

  @Mixin KeyOptions keys;

  @Override
  public Integer call() {
    HmacKey key = keys.key();
    String userKey = who.phone != null ? Erasure.keyOfPhone(who.phone, key) : Erasure.keyOfUserId(who.userId, key);
    Warehouse w = Warehouse.open(SparkSessions.getOrCreate("chatledger-erase"), warehouse);
    Erasure.Result r = Erasure.erase(w, userKey);
    long removed = r.rowsRemoved().values().stream().mapToLong(Long::longValue).sum();
    // never the phone number or id in the output: the request id and the counts only
    System.out.println("erase " + r.requestId() + ": " + removed + " rows removed " + r.rowsRemoved()
        + "; derived tables republished; files vacuumed");
    return ChatLedger.EXIT_OK;
  }
}
