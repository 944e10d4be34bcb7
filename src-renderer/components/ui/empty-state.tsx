import type { ReactNode } from 'react';

export function EmptyState({
  title,
  children,
  testId,
}: {
  title: string;
  children: ReactNode;
  testId: string;
}) {
  return (
    <div className="empty-state" data-testid={testId}>
      <p className="empty-title">{title}</p>
      <div className="empty-body">{children}</div>
    </div>
  );
}
