/**
 * The managed Alertmanager's configuration: every alert goes to Gantry's receiver at once
 * (group by alert identity, no waiting), authenticated with the bearer secret.
 */
export function renderAlertmanagerConfig(input: { receiverUrl: string; secret: string }): string {
  const config = {
    route: {
      receiver: 'gantry',
      group_by: ['...'],
      group_wait: '0s',
      group_interval: '1s',
      repeat_interval: '4h',
    },
    receivers: [
      {
        name: 'gantry',
        webhook_configs: [{ url: input.receiverUrl, send_resolved: true, http_config: { authorization: { type: 'Bearer', credentials: input.secret } } }],
      },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
