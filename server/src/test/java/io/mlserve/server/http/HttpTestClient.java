package io.mlserve.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A small JSON client for one gateway over loopback. Thread-safe. */
final class HttpTestClient {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpClient client;
  private final String base;

  HttpTestClient(int port) {
    this(port, HttpClient.Version.HTTP_1_1);
  }

  HttpTestClient(int port, HttpClient.Version version) {
    this.client = HttpClient.newBuilder().version(version)
        .connectTimeout(Duration.ofSeconds(10)).build();
    this.base = "http://127.0.0.1:" + port;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET()
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).DELETE()
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return post(path, json, "application/json");
  }

  HttpResponse<String> post(String path, String body, String contentType)
      throws IOException, InterruptedException {
    return client.send(request(path, body, contentType), HttpResponse.BodyHandlers.ofString());
  }

  /** A JSON POST with extra headers (name, value, name, value...). */
  HttpResponse<String> post(String path, String json, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Any method with a JSON body (or none when null) and extra headers (name, value, ...). */
  HttpResponse<String> send(String method, String path, String json, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      b.header("Content-Type", "application/json");
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> postAsync(String path, String json) {
    return client.sendAsync(request(path, json, "application/json"),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request(String path, String body, String contentType) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return b.build();
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return MAPPER.readTree(r.body());
  }

  /** The error message of a JSON error answer. */
  static String error(HttpResponse<String> r) throws IOException {
    JsonNode n = json(r);
    if (!n.has("error")) {
      throw new AssertionError("no error in " + r.statusCode() + " " + r.body());
    }
    return n.get("error").asText();
  }
}
