package io.mlserve.registry;

import io.mlserve.approval.ApprovalEvents;
import io.mlserve.approval.ApprovalFiles;
import io.mlserve.approval.Policy;
import io.mlserve.approval.PolicyJson;
import io.mlserve.store.Event;
import io.mlserve.store.ModelStore;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes a policy or approval change that a killed writer left between its event (durable)
 * and its record's rename (the commit point): {@link Recovery} calls it with the model's last
 * event, holding the store lock. Stateless; thread-safe under the lock.
 */
final class ApprovalRecovery {
  private static final Logger log = LoggerFactory.getLogger(ApprovalRecovery.class);

  private ApprovalRecovery() {}

  /**
   * For {@link Recovery}, holding the lock: if {@code e} (the model's last event) is a policy or
   * approval change whose record was not written, writes it. Idempotent.
   *
   * @return whether {@code e} is a policy or approval change
   */
  static boolean finish(ModelStore store, Event e) {
    ApprovalFiles files = new ApprovalFiles(store);
    String model = e.modelName();
    if (e.eventType().equals(ApprovalEvents.POLICY_CHANGED)) {
      Policy recorded = ApprovalEvents.policyOf(e);
      Policy now = files.policy(model).orElse(null);
      if (!Objects.equals(json(recorded), json(now))) {
        log.warn("{}: finishing the policy change that seq {} recorded (interrupted writer)",
            model, e.seq());
        files.writePolicy(model, recorded);
      }
      return true;
    }
    if (!ApprovalEvents.APPROVAL_TYPES.contains(e.eventType())) {
      return false;
    }
    if (store.hasVersion(model, e.version())
        && files.approval(model, e.version()).seq() < e.seq()) {
      log.warn("{}:{}: finishing the approval change that seq {} recorded (interrupted writer)",
          model, e.version(), e.seq());
      files.writeApproval(ApprovalEvents.approvalOf(e));
    }
    return true;
  }

  private static String json(Policy p) {
    return p == null ? null : PolicyJson.toJson(p).toString();
  }
}
