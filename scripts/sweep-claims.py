"""Random serving specs: each plan's claimed $/month and "SLA met" against `podform simulate` (3 days).

Usage: PODFORM=.build/debug/podform python3 scripts/sweep-claims.py SEED COUNT
Prints one line per spec: the plan, claimed vs simulated cost, and met (plan / simulation).
"""
import json, random, subprocess, sys, os, tempfile
OUT = tempfile.mkdtemp(prefix="podform-sweep-")
P=os.environ.get("PODFORM", ".build/debug/podform")
rng=random.Random(int(sys.argv[1]) if len(sys.argv)>1 else 1)
N=int(sys.argv[2]) if len(sys.argv)>2 else 20
models=[("meta-llama/Llama-3.1-8B-Instruct","bf16"),("Qwen/Qwen3-8B","fp8"),("meta-llama/Llama-3.1-70B-Instruct","int4"),("openai/gpt-oss-20b","mxfp4"),("Qwen/Qwen3-30B-A3B","bf16"),("mistralai/Mistral-7B-Instruct-v0.3","bf16")]
rows=[]
for i in range(N):
    m,prec=rng.choice(models)
    pat=rng.choice(["steady","bursty","scheduled"])
    rpd=rng.choice([500,3000,20000,100000])
    hours=rng.choice([8,12,24])
    peak=max(round(rpd/(min(hours,15) if pat=="scheduled" else hours)/3600*rng.choice([1.5,3,6]),3),0.01)
    conc=rng.choice([4,16,32,64])
    prompt=rng.choice([300,1000,3000]); out=rng.choice([100,300,800])
    ttft=rng.choice(["1s","2s","5s"]); tps=rng.choice([10,20,40]); cold=rng.choice(["30s","60s","5m"])
    mode=rng.choice(["auto","serverless","auto"])
    y=f"""version: 1
name: sw-{i}
workload: inference
model: {{id: {m}}}
precision: {prec}
context: 8k
concurrency: {conc}
traffic:
  pattern: {pat}
  requests_per_day: {rpd}
  peak_requests_per_second: {peak}
  active_hours_per_day: {hours}
  prompt_tokens: {prompt}
  output_tokens: {out}
sla: {{ttft_p95: {ttft}, output_tokens_per_second: {tps}, cold_start: {cold}}}
deploy: {{mode: {mode}}}
"""
    if pat=="scheduled": y=y.replace("pattern: scheduled","pattern: scheduled\n  schedule: {hours: \"08:00-"+f"{8+min(hours,15):02d}"+":00\", timezone: UTC}").replace(f"active_hours_per_day: {hours}", f"active_hours_per_day: {min(hours,15)}")
    f=os.path.join(OUT, f"sw-{i}.yaml"); open(f,"w").write(y)
    pl=subprocess.run([P,"plan","--offline","--format","json",f],capture_output=True,text=True)
    if pl.returncode!=0:
        rows.append((i,"PLANFAIL",pl.stderr.strip().splitlines()[-1][:150] if pl.stderr.strip() else "")); continue
    d=json.loads(pl.stdout)["deployments"][0]
    sm=subprocess.run([P,"simulate","--offline","--days","3","--json",f],capture_output=True,text=True)
    if sm.returncode!=0:
        rows.append((i,"SIMFAIL",sm.stderr.strip()[:200])); continue
    r=json.loads(sm.stdout)
    if not r: rows.append((i,"nosim","")); continue
    r=r[0]["report"]
    claimed=r["claimed_monthly_usd"]; sim=r["monthly_usd"]
    ratio=sim/claimed if claimed else float('nan')
    rows.append((i, f"{d.get('mode')} {d['gpu']['count']}x{d['gpu']['id'][:22]} {m.split('/')[1][:14]} {pat} rpd={rpd} peak={peak} conc={conc} p/o={prompt}/{out}", f"claimed ${claimed:.0f} sim ${sim:.0f} ratio {ratio:.2f} met {r['claimed_sla_met']}/{r['sla_met']} " + " ".join(f"{t['term']}={t['breachShare']:.3f}" for t in r['terms'])))
for r in rows: print(*r)
