// The timeline webview's entry point: styles, then the app, then the ready handshake.
import './styles.css';
import { TimelineApp } from './app.js';

function boot(): void {
  const root = document.getElementById('app') ?? document.body;
  root.classList.add('timeline');
  const app = new TimelineApp(root);
  // pagehide, not unload: it also fires when the page is replaced, and it stops the lane's
  // pending requests before the next page's ready handshake reaches the host.
  window.addEventListener('pagehide', () => app.dispose(), { once: true });
  app.start();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot, { once: true });
else boot();
