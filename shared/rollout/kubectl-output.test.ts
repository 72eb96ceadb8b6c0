import { describe, expect, it } from 'vitest';
import { appliedObjects, deletedObjects, objectRefText } from './kubectl-output';

describe('kubectl output', () => {
  it('reads what apply created, configured or left unchanged, and nothing else', () => {
    // stdout of a real apply that failed on its third object (the error went to stderr).
    const stdout = [
      'networkpolicy.networking.k8s.io/details created',
      'networkpolicy.networking.k8s.io/productpage configured',
      'networkpolicy.networking.k8s.io/ratings unchanged',
      'stagedkubernetesnetworkpolicy.projectcalico.org/reviews created',
      'ciliumnetworkpolicy.cilium.io/api created',
      'networkpolicy.networking.k8s.io/dry created (server dry run)',
      'deployment.apps/web created',
      'networkpolicy.networking.k8s.io/../../etc created',
      'Warning: resource networkpolicies/x is missing the kubectl.kubernetes.io/last-applied-configuration annotation',
    ].join('\n');
    expect(appliedObjects(stdout)).toEqual([
      { resource: 'networkpolicy.networking.k8s.io', name: 'details', operation: 'created' },
      { resource: 'networkpolicy.networking.k8s.io', name: 'productpage', operation: 'configured' },
      { resource: 'networkpolicy.networking.k8s.io', name: 'ratings', operation: 'unchanged' },
      { resource: 'stagedkubernetesnetworkpolicy.projectcalico.org', name: 'reviews', operation: 'created' },
      { resource: 'ciliumnetworkpolicy.cilium.io', name: 'api', operation: 'created' },
    ]);
  });

  it('reads what delete deleted (both of kubectl’s wordings)', () => {
    const stdout = [
      'networkpolicy.networking.k8s.io "details" deleted',
      'networkpolicy.networking.k8s.io "ratings" deleted from bookinfo-staging namespace',
      'pod "web-1" deleted',
    ].join('\n');
    expect(deletedObjects(stdout).map(objectRefText)).toEqual([
      'networkpolicy.networking.k8s.io/details',
      'networkpolicy.networking.k8s.io/ratings',
    ]);
  });
});
