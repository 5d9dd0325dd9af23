/**
 * The REST inference APIs: {@link io.mlserve.server.http.inference.PredictApi} ({@code POST
 * /api/v1/predict}, {@code POST /api/v1/batch} and the bulk jobs at {@code /api/v1/batch/{job}})
 * and {@link io.mlserve.server.http.inference.OipRestApi} (the Open Inference Protocol's
 * {@code /v2/...} REST paths). They decode JSON with {@code json}, answer through
 * {@code serving.InferenceService} and run large batches as {@code bulk} jobs; they see requests
 * only as the transport's {@code HttpCall}/{@code HttpReply} and register on its {@code Routes}.
 * Must not import Netty, the gateway's pipeline classes or {@code http.admin}.
 */
package io.mlserve.server.http.inference;
