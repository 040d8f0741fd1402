// The page table. Other parts of the lab add their pages here with one line each
// (instructor and account pages live in src/instructor/ and src/account/), e.g.
//   { path: '/account', title: 'Account', component: page(() => import('./account/AccountPage.tsx')), nav: 'Account' },
import { lazy } from 'react';
import type { ComponentType } from 'react';
import { prefetchExercise } from './api/exercises.ts';
import type { Audience } from './shell/PanelBoundary.tsx';
import { matchPath } from './shell/router.tsx';

export type PageComponent = ComponentType<Record<string, string>>;

export interface RouteDef {
  /** `/exercises/:id` style; the parameters arrive as props of the page. */
  path: string;
  title: string;
  component: PageComponent;
  /** Shown in the top bar when set. */
  nav?: string;
  /** Shown in the top navigation only to those who teach or assist in a course. */
  navForStaff?: boolean;
  /** Who the page is for, which sets the words of its error messages; students by default. */
  audience?: Audience;
  /**
   * Starts what the page will need as soon as its route matches, in parallel with the page's own
   * chunk instead of after it.
   */
  preload?(params: Record<string, string>): void;
}

/** A page loaded on first visit (its own chunk). Its props are the route's parameters. */
export function page<P extends Record<string, string>>(
  load: () => Promise<{ default: ComponentType<P> }>,
): PageComponent {
  // The route's pattern guarantees the parameters the page declares.
  return lazy(load) as unknown as PageComponent;
}

export const routes: RouteDef[] = [
  {
    path: '/',
    title: 'Exercises',
    component: page(() => import('./progress/CurriculumPage.tsx')),
    nav: 'Exercises',
  },
  {
    path: '/exercises/:id',
    title: 'Exercise',
    component: page(() => import('./exercise/ExercisePage.tsx')),
    // The exercise loads while the page's chunk does. Monaco's chunk is preloaded by index.html
    // and started by the page once its quick editor is on screen (editor/load-editor.ts).
    preload: ({ id }) => prefetchExercise(id),
  },
  {
    path: '/exercises/:id/history',
    title: 'Attempt history',
    component: page(() => import('./progress/HistoryPage.tsx')),
  },
  {
    path: '/account',
    title: 'Account',
    component: page(() => import('./account/AccountPage.tsx')),
    nav: 'Account',
  },
  {
    path: '/account/submissions/:runId',
    title: 'Submission',
    component: page(() => import('./account/MySubmissionPage.tsx')),
  },
  {
    path: '/join/:code',
    title: 'Join a course',
    component: page(() => import('./account/JoinPage.tsx')),
  },
  {
    path: '/reset/:token',
    title: 'Set your password',
    component: page(() => import('./account/ResetPasswordPage.tsx')),
  },
  {
    path: '/instructor',
    title: 'Instructor desk',
    component: page(() => import('./instructor/DeskPage.tsx')),
    audience: 'instructor',
    nav: 'Desk',
    navForStaff: true,
  },
  {
    path: '/instructor/courses/:courseId',
    title: 'Course',
    component: page(() => import('./instructor/CoursePage.tsx')),
    audience: 'instructor',
  },
  {
    path: '/instructor/courses/:courseId/manage',
    title: 'Assignments and people',
    component: page(() => import('./instructor/ManageCoursePage.tsx')),
    audience: 'instructor',
  },
  {
    path: '/instructor/courses/:courseId/mistakes',
    title: "The class's mistakes",
    component: page(() => import('./instructor/MistakesPage.tsx')),
    audience: 'instructor',
  },
  {
    path: '/instructor/courses/:courseId/runs/:runId',
    title: 'Submission review',
    component: page(() => import('./instructor/ReviewPage.tsx')),
    audience: 'instructor',
  },
];

/** The page last preloaded, so the first page's preload is not started twice. */
let preloadedPath: string | null = null;

/**
 * Starts what the page at `pathname` will need (its route's `preload`), once per page visited.
 * main.tsx calls it for the first page before React renders anything, so the exercise and the
 * editor's chunk are on their way while the app starts; the app calls it on each navigation.
 */
export function preloadRoute(pathname: string): void {
  if (pathname === preloadedPath) return;
  preloadedPath = pathname;
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) {
      route.preload?.(params);
      return;
    }
  }
}
