/** Who a deployment is shared with. */
import type { Db } from '../db/open';

export interface ShareRecord {
  userId: number;
  login: string;
  email: string;
  name: string;
  createdAt: number;
}

export class SharesRepo {
  constructor(private readonly db: Db) {}

  list(deploymentId: number): ShareRecord[] {
    return this.db
      .prepare<[number], ShareRecord>(
        `SELECT s.user_id AS userId, u.login, u.email, u.name, s.created_at AS createdAt FROM shares s JOIN users u ON u.id = s.user_id
         WHERE s.deployment_id = ? ORDER BY u.login COLLATE NOCASE`,
      )
      .all(deploymentId);
  }

  exists(deploymentId: number, userId: number): boolean {
    return this.db.prepare<[number, number], { n: number }>('SELECT COUNT(*) AS n FROM shares WHERE deployment_id = ? AND user_id = ?').get(deploymentId, userId)?.n !== 0;
  }

  add(deploymentId: number, userId: number, createdBy: number, now: number): void {
    this.db.prepare('INSERT INTO shares (deployment_id, user_id, created_by, created_at) VALUES (?, ?, ?, ?)').run(deploymentId, userId, createdBy, now);
  }

  remove(deploymentId: number, userId: number): boolean {
    return this.db.prepare('DELETE FROM shares WHERE deployment_id = ? AND user_id = ?').run(deploymentId, userId).changes === 1;
  }
}
