// Who is asking: the signed-in user of a session, and the client a socket or run belongs to.
// Sessions (routes/auth/) settle them; runs, sockets and fair shares only read them.
import type { Role } from '@ebpf-lab/store';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** Who is asking, settled once when the WebSocket is opened. */
export interface LabClient {
  user: SessionUser | null;
  /** The client's address (through `trust proxy`). */
  address: string;
}
