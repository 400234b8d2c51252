import type { Octokit, RepoRef } from "../core/github.js";

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

const WRITE_ROLES: Permission[] = ["admin", "maintain", "write"];

/**
 * A user's role on a repository through the collaborator permission API. `role_name` carries the
 * fine-grained roles (maintain, triage) that `permission` folds into write/read. A user who is
 * not a collaborator (404) has no permission.
 */
export async function getPermission(octokit: Octokit, repo: RepoRef, username: string): Promise<Permission> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
    const role = (data.role_name ?? data.permission) as string;
    return (["admin", "maintain", "write", "triage", "read"].includes(role) ? role : data.permission) as Permission;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return "none";
    throw err;
  }
}

export const canWrite = (permission: Permission) => WRITE_ROLES.includes(permission);

/**
 * Whether `username` is a collaborator of the repository (204) or not (404). On a public
 * repository the permission API answers `read` for anyone, so it cannot tell a stranger apart.
 */
export async function isCollaborator(octokit: Octokit, repo: RepoRef, username: string): Promise<boolean> {
  try {
    await octokit.rest.repos.checkCollaborator({ ...repo, username });
    return true;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return false;
    throw err;
  }
}
