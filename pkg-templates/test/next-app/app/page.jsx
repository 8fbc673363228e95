// A server component: it renders on the server, Shelf hydrates in the browser.
import Shelf from "./shelf";

export default function Home() {
  return (
    <main>
      <h1>Hats and more</h1>
      <Shelf ids={["sku-01001", "sku-02001", "sku-03001", "sku-03002"]} />
    </main>
  );
}
