package io.mlserve.server.http.admin;

import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Renders a model card (markdown, as registered with {@code --description-file}) to HTML that a
 * page may insert as is: raw HTML in the markdown is escaped, not passed through, and link and
 * image URLs other than http(s), mailto and relative ones are dropped (no {@code javascript:}).
 * The parser and renderer are immutable; this class is thread-safe.
 */
final class ModelCards {
  /** A card longer than this is cut before rendering (a card is prose, not a data dump). */
  static final int MAX_CHARS = 64 * 1024;

  private final Parser parser = Parser.builder().build();
  private final HtmlRenderer renderer = HtmlRenderer.builder().escapeHtml(true)
      .sanitizeUrls(true).build();

  String html(String markdown) {
    String md = markdown.length() > MAX_CHARS ? markdown.substring(0, MAX_CHARS) : markdown;
    return renderer.render(parser.parse(md));
  }
}
