package org.ipclab.testkit;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.ipclab.core.Capability;
import org.ipclab.core.MechanismInfo;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Reads {@link RequiresCapability} and {@link SkipWhenCapability} against the description of the
 * spec under test ({@link ChannelContract#info()}), so a test that does not apply is reported as
 * skipped with its reason.
 */
final class CapabilityCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty() || context.getTestInstance().isEmpty()
                || !(context.getTestInstance().get() instanceof ChannelContract)) {
            return ConditionEvaluationResult.enabled("not a contract test method");
        }
        MechanismInfo info = ((ChannelContract) context.getTestInstance().get()).info();
        RequiresCapability requires = context.getTestMethod().get().getAnnotation(RequiresCapability.class);
        if (requires != null) {
            List<Capability> missing = Arrays.stream(requires.value()).filter(c -> !info.has(c)).collect(Collectors.toList());
            if (!missing.isEmpty()) {
                return ConditionEvaluationResult.disabled(info.name() + " lacks " + missing);
            }
        }
        SkipWhenCapability skip = context.getTestMethod().get().getAnnotation(SkipWhenCapability.class);
        if (skip != null) {
            List<Capability> present = Arrays.stream(skip.value()).filter(info::has).collect(Collectors.toList());
            if (!present.isEmpty()) {
                return ConditionEvaluationResult.disabled(info.name() + " is " + present + ": " + skip.because());
            }
        }
        return ConditionEvaluationResult.enabled(info.name() + " qualifies");
    }
}
