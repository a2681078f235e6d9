package dev.chatledger.jobs.cli;

import dev.chatledger.jobs.tables.DataDictionary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dictionary", mixinStandardHelpOptions = true,
    description = "Renders the data dictionary (every table and column, from the table registry) as Markdown.")
public final class DictionaryCommand implements Callable<Integer> {
  @Option(names = "--out", description = "file to write (default: print to standard output)")
  Path out;

  @Override
  public Integer call() {
    String md = DataDictionary.markdown();
    if (out == null) {
      System.out.print(md);
      return ChatLedger.EXIT_OK;
    }
    try {
      if (out.getParent() != null) {
        Files.createDirectories(out.getParent());
      }
      Files.writeString(out, md, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
    }
    System.out.println("wrote " + out);
    return ChatLedger.EXIT_OK;
  }
}
