// Who may do what with a notebook. Every capability is a link token: 256
// random bits, shown once, stored only as its SHA-256. The creator holds the
// owner token; the owner hands out share links as viewer, commenter or
// editor, optionally expiring, and may revoke them. Without a valid token a
// notebook does not exist, not even its title.
import { createHash, randomBytes } from "node:crypto";
import type { NotebookStore, Role, ShareRow } from "./store.ts";

export type { Role } from "./store.ts";

const RANK: Record<Role, number> = { viewer: 0, commenter: 1, editor: 2, owner: 3 };
export const SHARE_ROLES: readonly Role[] = ["viewer", "commenter", "editor"];

export function atLeast(role: Role, wanted: Role): boolean {
  return RANK[role] >= RANK[wanted];
}

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && Object.hasOwn(RANK, v);
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** What a share looks like to its owner: never the token or its hash. */
export interface ShareView {
  id: string;
  role: Role;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

export function shareView(s: ShareRow): ShareView {
  return { id: s.id, role: s.role, createdAt: s.createdAt, expiresAt: s.expiresAt, revokedAt: s.revokedAt };
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export class Access {
  constructor(
    private readonly store: NotebookStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new link token for `notebookId` with `role`; returns the token (the only time it exists in clear). */
  grant(notebookId: string, role: Role, expiresAt: number | null = null): { token: string; share: ShareView } {
    const token = randomBytes(32).toString("base64url");
    const row: ShareRow = {
      id: randomBytes(9).toString("base64url"),
      notebookId,
      tokenHash: hashToken(token),
      role,
      createdAt: this.now(),
      expiresAt,
      revokedAt: null,
    };
    this.store.addShare(row);
    return { token, share: shareView(row) };
  }

  /** The live share a token stands for, or null (unknown, revoked, expired, malformed). */
  resolve(token: unknown): ShareRow | null {
    if (typeof token !== "string" || !TOKEN.test(token)) return null;
    const share = this.store.shareByHash(hashToken(token));
    return share && this.live(share) ? share : null;
  }

  /** Whether a share still grants access now. */
  live(share: ShareRow): boolean {
    return share.revokedAt === null && (share.expiresAt === null || share.expiresAt > this.now());
  }

  /** The role `token` grants on `notebookId`, or null. (A deleted
   * notebook's links go with it, store.delete().) */
  roleOn(notebookId: string, token: unknown): Role | null {
    const share = this.resolve(token);
    return share && share.notebookId === notebookId ? share.role : null;
  }
}
