import { describe, expect, it } from 'vitest';
import { isContextName, isNamespaceName, isObjectName } from './names';

describe('Kubernetes names (one rule for the contract, the services and the CLI)', () => {
  it.each([
    ['bookinfo', true],
    ['kube-system', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    ['--all-namespaces', false],
    ['Shop', false],
    ['shop-', false],
    ['shop.prod', false],
    ['', false],
  ])('namespace %j: %s', (name, ok) => expect(isNamespaceName(name)).toBe(ok));

  it.each([
    ['arn:aws:eks:eu-west-1:123456789012:cluster/staging', true],
    ['gke_my-project_europe-west1_staging', true],
    ['kind-staging', true],
    ['--kubeconfig=/etc/shadow', false],
    ['-n', false],
    ['a b', false],
    ['', false],
  ])('context %j: %s', (name, ok) => expect(isContextName(name)).toBe(ok));

  it.each([
    ['allow-productpage', true],
    ['netpol.v1', true],
    ['../../etc/passwd', false],
    ['Allow', false],
    ['a/b', false],
    ['a..b', false],
    ['a.-b', false],
    ['.a', false],
    ['..', false],
    ['a'.repeat(253), true],
    ['a'.repeat(254), false],
  ])('object name %j: %s', (name, ok) => expect(isObjectName(name)).toBe(ok));
});
