import { Gauge, type Registry } from 'prom-client';

/**
 * What the alert evaluation exports for Prometheus: signals that exist only in Postgres (validation
 * scores, failure streaks) as their worst value per platform, and the open alerts. The rules in
 * ops/prometheus/alerts.yml read them.
 */
export interface AlertMetrics {
  signalWorst: Gauge<'rule_id' | 'platform'>;
  alertsOpen: Gauge<'type' | 'severity'>;
}

export function createAlertMetrics(registry: Registry): AlertMetrics {
  const registers = [registry];
  return {
    signalWorst: new Gauge({
      name: 'liftos_alert_signal_worst',
      help: "Worst value of an alert rule's signal per platform at the last evaluation (highest for above-threshold rules, lowest for below)",
      labelNames: ['rule_id', 'platform'],
      registers,
    }),
    alertsOpen: new Gauge({
      name: 'liftos_alerts_open',
      help: 'Alerts firing or escalated at the last evaluation',
      labelNames: ['type', 'severity'],
      registers,
    }),
  };
}
