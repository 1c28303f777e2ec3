# Renders table.html with 100 rows N times in Tornado and prints "renders_per_CPU_second output_bytes" (best of 3).
# Usage: python bench.py <table.html> <iterations> [output-file]
import sys
import time

from tornado.template import Template

path = sys.argv[1] if len(sys.argv) > 1 else "table.html"
iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
with open(path) as f:
    template = Template(f.read(), name="table.html")

rows = []
for i in range(100):
    rows.append({
        "id": i,
        "name": 'User <%d> & "friends"' % i if i % 10 == 0 else "User %d" % i,
        "email": "user%d@example.com" % i,
        "score": i * 1.5,
        "active": i % 3 == 0,
    })
values = {"title": "Users & scores", "rows": rows}

for _ in range(50):
    output = template.generate(**values)
if len(sys.argv) > 3:
    with open(sys.argv[3], "wb") as f:
        f.write(output)

best = 0.0
for _ in range(3):
    start = time.process_time()  # CPU time: other load on the machine skews it less than wall time
    for _ in range(iterations):
        template.generate(**values)
    best = max(best, iterations / (time.process_time() - start))
print("%.0f %d" % (best, len(output)))
