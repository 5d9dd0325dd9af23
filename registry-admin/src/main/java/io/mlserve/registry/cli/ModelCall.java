package io.mlserve.registry.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * A command that makes one admin call about one model ({@code --model}) and prints the answer:
 * as JSON with {@code --output json}, else as text. Subclasses say how to reach mlctl's options
 * (their picocli parent), what to call and how the answer reads. Not thread-safe (one run).
 *
 * @param <R> the answer's type
 */
abstract class ModelCall<R> implements Callable<Integer> {
  @Option(names = "--model", required = true) String model;

  /** mlctl's top-level options. */
  abstract MlctlMain main();

  abstract R run(AdminClient client);

  /** The answer as its one JSON shape. */
  abstract void json(JsonGenerator g, R answer) throws IOException;

  abstract String text(R answer);

  @Override
  public final Integer call() throws Exception {
    Output out = main().output();
    try (AdminClient client = main().client()) {
      R r = run(client);
      out.message(g -> json(g, r), text(r));
    }
    return 0;
  }
}
