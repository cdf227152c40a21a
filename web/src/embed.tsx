// Entry of embed.html, the widget for other sites' iframes. The parent sizes
// the iframe from the {type: 'gpuplan:height', height} messages it receives.
// TODO: a compact layout with fewer inputs. The widget shows every input for now.
import { render } from 'preact';
import { App } from './App';
import './style.css';

render(<App variant="embed" />, document.getElementById('app')!);
