# synthehr — GPL-3.0-or-later.
# The hand-made MIMIC-IV-shaped hosp tables used by tests/cli_import.sh and
# the fuzz_mimic replay: four tiny tables written at test time (no real or
# copied MIMIC data is kept in the repository).  Source it, then call
#   write_mimic_fixture DIR      -> DIR/hosp/{patients,admissions,diagnoses_icd,omr}.csv
write_mimic_fixture() {
	mkdir -p "$1/hosp"
	cat > "$1/hosp/patients.csv" <<'EOF'
subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod
1,F,30,2100,2008 - 2010,
2,M,89,2100,2008 - 2010,2105-01-01
3,M,50,2100,2008 - 2010,2101-02-02
4,F,40,2100,2008 - 2010,
5,M,60,2100,2008 - 2010,
EOF
	cat > "$1/hosp/admissions.csv" <<'EOF'
hadm_id,subject_id,race,admittime,dischtime,deathtime
11,1,BLACK/AFRICAN AMERICAN,2100-01-01 10:00:00,2100-01-05 10:00:00,
12,1,WHITE,2102-03-01 10:00:00,2102-03-04 12:00:00,
21,2,UNABLE TO OBTAIN,2104-05-01 08:00:00,2104-05-09 09:00:00,
31,3,ASIAN,2100-01-01 00:00:00,2100-01-02 00:00:00,
32,3,ASIAN,2101-02-01 00:00:00,2101-02-02 00:00:00,2101-02-02 00:00:00
51,5,HISPANIC OR LATINO,2103-06-01 00:00:00,2103-06-03 00:00:00,
52,5,SOUTH AMERICAN,2103-01-01 00:00:00,2103-01-02 00:00:00,
91,9,WHITE,2103-01-01 00:00:00,2103-01-02 00:00:00,
EOF
	cat > "$1/hosp/diagnoses_icd.csv" <<'EOF'
subject_id,hadm_id,seq_num,icd_code,icd_version
1,11,1,25001,9
1,12,1,4011,9
1,12,2,E8500,9
1,12,3,V1582,9
2,21,1,E1136,10
2,21,2,K56600,10
2,21,3,W19XXXA,10
3,31,1,A419,10
5,51,1,2910,9
5,52,1,X71,10
9,91,1,4011,9
EOF
	cat > "$1/hosp/omr.csv" <<'EOF'
subject_id,chartdate,seq_num,result_name,result_value
1,2102-01-01,1,BMI (kg/m2),25.5
1,2102-02-01,1,BMI (kg/m2),26.1
1,2102-02-01,2,BMI (kg/m2),26.3
1,2102-02-01,1,Blood Pressure,120/80
1,2101-12-01,1,Blood Pressure,130/85
2,2104-01-01,1,Blood Pressure,0/0
2,2103-01-01,1,Blood Pressure,140/90
2,2104-01-01,1,Blood Pressure Sitting,150/95
5,2103-01-01,1,Blood Pressure,0/70
5,2103-01-01,1,Weight (Lbs),180
EOF
}
