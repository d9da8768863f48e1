package org.ipclab.testkit;

import org.ipclab.core.io.IoRoute;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** {@link RequiresFfm}: per test method, so every skipped test carries the reason. */
final class FfmCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) return ConditionEvaluationResult.enabled("decided per test");
        return IoRoute.ffmUnavailable()
                .map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled("io=ffm runs here"));
    }
}
