import { MAX_RULE_SAMPLES, type RuleOutcome, type RuleSample, VALIDATION_RULES, type ValidationRuleId } from '../../domain/validation-rules';

/** A rule outcome with the rule's severity, its samples capped. */
export function outcome(
  ruleId: ValidationRuleId,
  fields: { applicable?: boolean; violations: number; checked: number; message: string; samples?: RuleSample[] },
): RuleOutcome {
  const applicable = fields.applicable ?? true;
  return {
    ruleId,
    severity: VALIDATION_RULES[ruleId].severity,
    applicable,
    passed: !applicable || fields.violations === 0,
    violations: fields.violations,
    checked: fields.checked,
    message: fields.message,
    samples: (fields.samples ?? []).slice(0, MAX_RULE_SAMPLES),
  };
}

export function notApplicable(ruleId: ValidationRuleId, why: string): RuleOutcome {
  return outcome(ruleId, { applicable: false, violations: 0, checked: 0, message: why });
}
