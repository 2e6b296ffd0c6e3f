const timeEl = document.getElementById('time');
const toggle = document.getElementById('toggle');
const countEl = document.getElementById('count');
let minutes = 25, left = minutes * 60, timer = null;
let done = Number(localStorage.getItem('pomodoros') || 0);
countEl.textContent = done;

function show() {
  const m = String(Math.floor(left / 60)).padStart(2, '0');
  const s = String(left % 60).padStart(2, '0');
  timeEl.textContent = `${m}:${s}`;
  document.title = `${m}:${s} · Pomodoro`;
}
function stop() { clearInterval(timer); timer = null; toggle.textContent = 'Start'; }
toggle.onclick = () => {
  if (timer) return stop();
  toggle.textContent = 'Pause';
  timer = setInterval(() => {
    left -= 1;
    if (left <= 0) {
      stop();
      left = minutes * 60;
      if (minutes === 25) localStorage.setItem('pomodoros', ++done);
      countEl.textContent = done;
    }
    show();
  }, 1000);
};
document.getElementById('reset').onclick = () => { stop(); left = minutes * 60; show(); };
document.querySelectorAll('.modes button').forEach(button => button.onclick = () => {
  document.querySelectorAll('.modes button').forEach(b => b.classList.remove('active'));
  button.classList.add('active');
  minutes = Number(button.dataset.minutes);
  stop(); left = minutes * 60; show();
});
show();
