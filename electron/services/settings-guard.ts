// Settings the renderer may not change on its own say-so: which programs run with the user's kube
// credentials, where the API key is sent, and the production guard. A page that went wrong (or
// was made to) could otherwise send the key to its own host, or swap kubectl for its own program;
// each such change is asked in a native dialog in main, which the renderer cannot answer.
import type { ConfirmRequest } from './ports';
import { hostOf, originOf } from './secrets';
import type { Settings } from './settings';

/** A change that needs the user's confirmation: what to ask, and what to say when it is not confirmed. */
export interface GuardedChange {
  readonly ask: ConfirmRequest;
  readonly refused: string;
  readonly hint: string;
}

const NO_DIALOG_HINT = 'The browser mode has no confirmation dialog: ';

function toolChange(tool: 'kubectl' | 'hubble', before: string, after: string): GuardedChange {
  const uses =
    tool === 'kubectl'
      ? 'reads your clusters under your kubeconfig and, after your confirmation, applies policies to them'
      : 'captures flows from your clusters';
  return {
    ask: {
      title: `Use another ${tool}?`,
      message: `Run ${after} as ${tool}?`,
      detail: `netpol-studio ${uses} with this program. Until now it used ${before || `${tool} from your PATH`}.\n\nIf you did not type this path yourself, choose Cancel.`,
      confirmLabel: `Use this ${tool}`,
    },
    refused: `The settings were not saved: running ${after} as ${tool} was not confirmed.`,
    hint: `${NO_DIALOG_HINT}start it with \`npm start -- --${tool}-path ${after}\` instead.`,
  };
}

/**
 * The changes in `patch` that need the user's confirmation, given the settings now and the origin
 * the stored API key is bound to (undefined when no key is stored). Changes that narrow (a tool
 * back to PATH, a pattern added, an endpoint on the key's own origin) need none.
 */
export function guardedChanges(now: Settings, patch: Partial<Settings>, keyOrigin: string | undefined): GuardedChange[] {
  const out: GuardedChange[] = [];
  if (patch.kubectlPath && patch.kubectlPath !== now.kubectlPath) out.push(toolChange('kubectl', now.kubectlPath, patch.kubectlPath));
  if (patch.hubblePath && patch.hubblePath !== now.hubblePath) out.push(toolChange('hubble', now.hubblePath, patch.hubblePath));
  if (patch.productionPatterns) {
    const kept = new Set(patch.productionPatterns.map((p) => p.toLowerCase()));
    const removed = now.productionPatterns.filter((p) => !kept.has(p.toLowerCase()));
    if (removed.length > 0) {
      const off = patch.productionPatterns.length === 0;
      out.push({
        ask: {
          title: off ? 'Turn off the production guard?' : 'Weaken the production guard?',
          message: off
            ? 'Stop asking a second time before applying to anything that looks like production?'
            : `Stop treating names with ${removed.map((p) => `"${p}"`).join(', ')} as production?`,
          detail:
            'Applying policies to a context or namespace with such a name now asks twice. Without the pattern, it asks once.\n\nIf you did not change the patterns yourself, choose Cancel.',
          confirmLabel: off ? 'Turn it off' : 'Remove the patterns',
        },
        refused: 'The settings were not saved: removing production patterns was not confirmed.',
        hint: `${NO_DIALOG_HINT}edit settings.json in its data folder by hand if you mean it.`,
      });
    }
  }
  if (patch.aiBaseUrl !== undefined && keyOrigin !== undefined) {
    const origin = originOf(patch.aiBaseUrl);
    if (origin !== undefined && origin !== keyOrigin) {
      const host = hostOf(patch.aiBaseUrl);
      out.push({
        ask: {
          title: 'Send your API key to another host?',
          message: `Send your stored API key to ${host}?`,
          detail: `The key was stored for ${keyOrigin}. With this endpoint, every AI draft sends it to ${origin}.\n\nIf you do not know this host, choose Cancel: the endpoint stays ${now.aiBaseUrl}.`,
          confirmLabel: `Send the key to ${host}`,
        },
        refused: `The settings were not saved: sending the API key to ${host} was not confirmed.`,
        hint: 'To use that endpoint without this key, remove the key first.',
      });
    }
  }
  return out;
}
