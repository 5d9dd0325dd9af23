package io.mlserve.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ExpressionTest {
  private static double eval(String text, double pred, double label) {
    return Expression.parse(text).evaluate(pred, label, 2);
  }

  @Test
  void arithmeticPrecedenceAndFunctions() {
    assertEquals(7, eval("1 + 2 * 3", 0, 0));
    assertEquals(9, eval("(1 + 2) * 3", 0, 0));
    assertEquals(-1, eval("1 - 2", 0, 0));
    assertEquals(2, eval("8 / 2 / 2", 0, 0));
    assertEquals(-4, eval("-pred * 2", 2, 0));
    assertEquals(6, eval("abs(pred - label) * (pred < label ? 3 : 1)", 1, 3));
    assertEquals(2, eval("abs(pred - label) * (pred < label ? 3 : 1)", 3, 1));
    assertEquals(1, eval("min(pred, label)", 1, 3));
    assertEquals(9, eval("pow(max(pred, label), 2)", 1, 3));
    assertEquals(2, eval("output", 0, 0));
    assertEquals(1, eval("pred >= 1 && label != 2 || 0", 1, 3));
    assertEquals(0, eval("!(pred == 1)", 1, 3));
    assertEquals(1.5e-3, eval("1.5e-3", 0, 0));
    assertEquals(3, eval("pred > 1 ? 2 : label > 1 ? 3 : 4", 0, 2));
    assertEquals(Math.sqrt(2) + Math.log(3) + Math.exp(1), eval("sqrt(2) + log(3) + exp(1)",
        0, 0), 1e-12);
  }

  @Test
  void errorsNameThePlaceAndTheProblem() {
    assertEquals("at character 7: expected a number, a variable, a function or '(' but found"
        + " ')'", assertThrows(IllegalArgumentException.class, () -> Expression.parse("pred +)"))
        .getMessage());
    assertEquals("at character 1: unknown function system of 1 argument(s); the functions are"
        + " abs(x), sqrt(x), log(x), exp(x), min(x, y), max(x, y), pow(x, y)",
        assertThrows(IllegalArgumentException.class,
            () -> Expression.parse("system(1)")).getMessage());
    assertEquals("at character 6: expected ')' but the expression ends",
        assertThrows(IllegalArgumentException.class,
            () -> Expression.parse("(pred")).getMessage());
    assertEquals("at character 6: unexpected '='", assertThrows(IllegalArgumentException.class,
        () -> Expression.parse("pred = label")).getMessage());
    assertEquals("the expression is longer than 1000 characters",
        assertThrows(IllegalArgumentException.class,
            () -> Expression.parse("1+".repeat(600) + "1")).getMessage());
    String deep = "(".repeat(40) + "1" + ")".repeat(40);
    assertEquals("at character 34: the expression nests deeper than 32 levels",
        assertThrows(IllegalArgumentException.class, () -> Expression.parse(deep))
            .getMessage());
    assertEquals("at character 1: '1.2.3' is not a number",
        assertThrows(IllegalArgumentException.class, () -> Expression.parse("1.2.3"))
            .getMessage());
  }
}
