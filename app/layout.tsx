import type { ReactNode } from "react";
import "./globals.css";

// Rendered per request, never prerendered: Next stamps each page's scripts
// with the nonce of that response's Content-Security-Policy (lib/server/headers.ts).
export const dynamic = "force-dynamic";

export const metadata = {
  title: "pcplab",
  description: "Notebooks for page-allocator locking scenarios, run on a model of Linux 6.1's page allocator",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
