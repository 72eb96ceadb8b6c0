import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

// Cytoscape injects an inline <style> for its container unless an element with this id exists;
// the strict CSP would block it, and styles.css carries the same rule.
const marker = document.createElement('meta');
marker.id = '__________cytoscape_stylesheet';
document.head.appendChild(marker);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
