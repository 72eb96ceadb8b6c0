/** netpol-analyzer's port sets: the policy engine's connection sets (see engine/conn-set.ts). */
export * from '../engine/conn-set';
