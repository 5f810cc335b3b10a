import { Home } from "../lib/ui/Home.tsx";

export default function Page() {
  return <Home />;
}
