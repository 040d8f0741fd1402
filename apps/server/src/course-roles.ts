// Course staff: the members who teach a course (instructors) or help with it (assistants), as
// against its students. The desk, its live feed and the top navigation all ask the same question.
import type { CourseRole } from '@ebpf-lab/store';

export function isCourseStaff(
  role: CourseRole | undefined,
): role is Exclude<CourseRole, 'student'> {
  return role === 'instructor' || role === 'assistant';
}
