import type { ReactNode } from 'react';

export function PageHeader({
  title,
  meta,
  actions,
}: {
  title: ReactNode;
  meta?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div className="page-title">
        <h1>{title}</h1>
        {meta !== undefined && <span className="page-meta">{meta}</span>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}
