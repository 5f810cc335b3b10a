import { NotebookPage } from "../../../lib/ui/NotebookPage.tsx";

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <NotebookPage id={id} />;
}
