package io.mlserve.loadtest;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;

/**
 * The exit codes of {@code loadtest} and their help text: one table shared by every command (a
 * script can tell a missed objective from a missing model from a generator that fell behind),
 * with the wording of 0, 1 and 4 per command. The codes themselves are {@link Slo}'s constants.
 * Stateless.
 */
final class ExitCodes {
  private ExitCodes() {}

  /** Sets the "Exit codes:" section of the help of {@code cl} and of each of its subcommands. */
  static CommandLine document(CommandLine cl) {
    describe(cl, "success (run: objective met; sweep: a sustainable rate found; reload: no"
            + " request or admin call failed)",
        "the generator could not keep up: not a measurement of the server");
    describe(cl.getSubcommands().get("run"),
        "objective met (and at most 1% of requests failed)",
        "the generator could not keep up with --rate: not a measurement of the server");
    describe(cl.getSubcommands().get("sweep"), "a sustainable rate was found (not even the first"
            + " step holding is 1)",
        "the generator, not the server, was the limit");
    describe(cl.getSubcommands().get("reload"), "no request and no admin call failed (any"
            + " failure is 1)",
        "not used by reload: it checks failures, not latency; a generator that fell behind is"
            + " reported as a warning");
    return cl;
  }

  private static void describe(CommandLine cl, String zero, String four) {
    Map<String, String> codes = new LinkedHashMap<>();
    codes.put(Integer.toString(Slo.EXIT_MET), zero.replace("%", "%%"));
    codes.put(Integer.toString(Slo.EXIT_MISSED),
        "objective missed, more than 1%% of requests failed, or nothing completed");
    codes.put("2", "bad command line");
    codes.put(Integer.toString(Slo.EXIT_UNREACHABLE),
        "target unreachable: no connection, UNAVAILABLE, or no answer to the probe request");
    codes.put(Integer.toString(Slo.EXIT_GENERATOR_BEHIND), four);
    codes.put(Integer.toString(Slo.EXIT_NOT_FOUND),
        "a model or version was not found (HTTP 404 / NOT_FOUND): the message names it and"
            + " shows the server's answer");
    codes.put(Integer.toString(Slo.EXIT_REFUSED),
        "the server refused the probe request for another reason (another HTTP 4xx/5xx,"
            + " INVALID_ARGUMENT, UNAUTHENTICATED, ...), with the server's answer");
    cl.getCommandSpec().usageMessage().exitCodeListHeading("Exit codes:%n").exitCodeList(codes);
  }
}
