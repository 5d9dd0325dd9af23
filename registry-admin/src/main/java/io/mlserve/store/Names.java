package io.mlserve.store;

import java.util.regex.Pattern;

/**
 * What a model name may be. Names become directory names in the store, so the rule keeps out
 * path separators, {@code .}/{@code ..}, hidden names and control characters. Stateless;
 * thread-safe.
 */
public final class Names {
  /** The model name rule, as a regular expression (also quoted in error messages). */
  public static final String MODEL_NAME_REGEX = "[A-Za-z0-9][A-Za-z0-9_.-]{0,127}";

  private static final Pattern MODEL_NAME = Pattern.compile(MODEL_NAME_REGEX);

  private Names() {}

  /** Whether {@code name} is a valid model name. Null is not. */
  public static boolean isValidModelName(String name) {
    return name != null && MODEL_NAME.matcher(name).matches();
  }

  /**
   * {@code s} with control characters escaped as {@code \\uXXXX}, for error messages and logs
   * that quote user input.
   */
  public static String printable(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
