package io.mlserve.server.reload;

/**
 * What the server last did for one model: which versions it serves, and the outcome of the last
 * reload or guard check with its reason. Immutable.
 *
 * @param model the model
 * @param production the version unversioned requests go to, or null
 * @param staging the Staging version served by stage, or null
 * @param state LOADING, SERVING, RELOAD_FAILED, ROLLED_BACK
 * @param reason why, for a failure or rollback; null otherwise
 * @param sinceMillis when the state was entered, epoch milliseconds
 */
public record ModelStatus(
    String model, String production, String staging, String state, String reason,
    long sinceMillis) {}
